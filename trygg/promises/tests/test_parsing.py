import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trygg.promises.parsing import (
    Period,
    check_activity,
    find_municipality,
    find_municipality_line,
    find_period,
    parse_promise_text,
    read_quantity,
    to_json_dict,
)
from trygg.promises.readers import read_document
from trygg.promises.tests.scoring import SCORED_FIELDS, Score, score

CORPUS = Path(__file__).resolve().parent / "corpus"
SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
SEED = SEEDS / "000_c1297d98e49f98ef.txt"
CORPUS_DOCUMENTS = sorted(path for path in CORPUS.iterdir() if not path.name.endswith(".expected.json"))


def parse_file(path: Path) -> dict[str, Any]:
    return to_json_dict(parse_promise_text(read_document(path)))


def activity_starting(result: dict[str, Any], start: str) -> dict[str, Any]:
    matches = [a for area in result["focus_areas"] for a in area["activities"] if a["text"].startswith(start)]
    assert len(matches) == 1, f"expected one activity starting {start!r}, found {len(matches)}"
    return matches[0]


def expected_for(document: Path) -> dict[str, Any]:
    return json.loads(CORPUS.joinpath(document.stem + ".expected.json").read_text(encoding="utf-8"))


# --- The corpus -------------------------------------------------------------------------------------


def test_the_corpus_holds_at_least_forty_documents_in_every_format_each_with_its_expectations() -> None:
    assert len(CORPUS_DOCUMENTS) >= 40
    assert {path.suffix for path in CORPUS_DOCUMENTS} >= {".txt", ".md", ".html", ".pdf", ".docx"}
    for document in CORPUS_DOCUMENTS:
        assert CORPUS.joinpath(document.stem + ".expected.json").exists(), document.name


def test_every_expected_activity_gives_every_scored_field() -> None:
    for document in CORPUS_DOCUMENTS:
        for area in expected_for(document)["focus_areas"]:
            assert area["title"], document.name
            for activity in area["activities"]:
                assert "text" in activity or "starts" in activity, document.name
                assert set(SCORED_FIELDS) <= set(activity), (document.name, activity)


@pytest.mark.parametrize("document", CORPUS_DOCUMENTS, ids=lambda path: path.name)
def test_each_corpus_document_scores_full_marks_field_by_field(document: Path) -> None:
    result = score(parse_file(document), expected_for(document), document.name)
    assert result.mistakes == []
    assert (result.areas, result.activities, result.fields) == (1.0, 1.0, 1.0)


def test_the_whole_corpus_scores_full_marks_on_areas_activities_and_fields() -> None:
    total = Score()
    for document in CORPUS_DOCUMENTS:
        total.add(score(parse_file(document), expected_for(document), document.name))
    assert total.activities_total > 180
    assert (total.areas, total.activities, total.fields) == (1.0, 1.0, 1.0), total.mistakes


def test_the_scoring_counts_a_missed_area_its_activities_and_their_fields() -> None:
    activity = {"text": "Polisen ska kontrollera.", **dict.fromkeys(SCORED_FIELDS)}
    expected = {
        "municipality": "Ekby kommun",
        "period": None,
        "focus_areas": [{"title": "Trafik", "activities": [activity]}],
    }
    wrong_title = json.loads(json.dumps(expected))
    wrong_title["focus_areas"][0]["title"] = "Narkotika"
    result = score(wrong_title, expected)
    assert (result.areas, result.activities) == (0.0, 0.0)
    assert result.fields == 2 / (2 + len(SCORED_FIELDS))
    assert score(expected, expected).fields == 1.0


@pytest.mark.parametrize("document", CORPUS_DOCUMENTS, ids=lambda path: path.name)
def test_each_corpus_result_is_json_with_the_contracts_keys(document: Path) -> None:
    result = json.loads(json.dumps(parse_file(document)))
    assert set(result) == {"municipality", "period", "focus_areas"}
    for area in result["focus_areas"]:
        assert set(area) == {"title", "description", "activities"}
        for activity in area["activities"]:
            assert list(activity) == [
                "text", "parties", "partners", "quantity", "quantity_max", "at_least", "unit", "per",
                "target_group", "place", "measurable", "issues",
            ]  # fmt: skip


# --- The seed: the acceptance document ----------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    if not SEED.exists():
        pytest.skip(f"the shared seed folder is absent ({SEEDS}); the acceptance test needs it")
    return to_json_dict(parse_promise_text(SEED.read_text(encoding="utf-8")))


def test_the_seed_names_ljungby_and_the_year_2023(seed: dict[str, Any]) -> None:
    assert seed["municipality"] == "Ljungby kommun"
    assert seed["period"] == {"start": "2023-01-01", "end": "2023-12-31"}


def test_the_seed_has_exactly_seven_focus_areas_and_nineteen_activities(seed: dict[str, Any]) -> None:
    assert [area["title"] for area in seed["focus_areas"]] == [
        "Klotter och skadegörelse",
        "Förekomst av narkotika",
        "Förekomst av drogpåverkade personer i offentlig miljö",
        "Bedrägeri",
        "Handelsplats Ljungbyporten",
        "Oro för inbrott på landsbygden",
        "Våld i samhället",
    ]
    assert sum(len(area["activities"]) for area in seed["focus_areas"]) == 19


def test_the_seeds_quotes_background_and_comment_sections_give_no_activities(seed: dict[str, Any]) -> None:
    texts = [activity["text"] for area in seed["focus_areas"] for activity in area["activities"]]
    assert not any(text.startswith("-") or "förklarar" in text or "säger" in text for text in texts)
    titles = {area["title"] for area in seed["focus_areas"]}
    assert not titles & {"Bakgrund", "Ljungby – en trygg kommun", "Kommentera", "Årets medborgarlöfte"}


def test_the_seeds_wastewater_measurements_are_four_a_year_by_the_municipality(seed: dict[str, Any]) -> None:
    activity = activity_starting(seed, "Ljungby kommun ska under året genomföra 4 mätningar")
    assert activity["parties"] == ["Ljungby kommun"]
    assert (activity["quantity"], activity["per"], activity["unit"]) == (4, "year", "mätningar")
    assert activity["measurable"] is True
    assert activity["issues"] == []


def test_the_seeds_landlord_dialogue_is_joint_and_once_a_year(seed: dict[str, Any]) -> None:
    activity = activity_starting(seed, "Ljungby kommun och Polisen bjuder in hyresvärdar")
    assert sorted(activity["parties"]) == ["Ljungby kommun", "Polisen"]
    assert (activity["quantity"], activity["per"]) == (1, "year")


def test_the_seeds_neighbourhood_watch_meeting_is_at_least_once_a_year(seed: dict[str, Any]) -> None:
    activity = activity_starting(seed, "Ljungby kommun och polisen genomför grannsamverkansmöte")
    assert (activity["quantity"], activity["at_least"], activity["per"]) == (1, True, "year")


def test_the_seeds_agentless_reporting_of_vandalism_is_measurable_but_has_no_party(
    seed: dict[str, Any],
) -> None:
    activity = activity_starting(seed, "All skadegörelse ska polisanmälas och rapporteras")
    assert activity["parties"] == []
    assert activity["measurable"] is True
    assert "no_party" in activity["issues"]


def test_the_seeds_foot_patrol_has_no_quantity(seed: dict[str, Any]) -> None:
    activity = activity_starting(seed, "Polisen ska fotpatrullera på handelsplatsen")
    assert activity["parties"] == ["Polisen"]
    assert activity["measurable"] is False
    assert "no_quantity" in activity["issues"]


def test_the_seeds_drug_tests_keep_their_modifying_sentence(seed: dict[str, Any]) -> None:
    activity = activity_starting(seed, "Ljungby kommun ska fortsätta med de slumpvisa drogtester")
    assert "Från och med höstterminen 2023 ingår alla årskurser" in activity["text"]


def test_the_seeds_police_with_the_municipality_as_partner_keep_the_police_responsible(
    seed: dict[str, Any],
) -> None:
    activity = activity_starting(seed, "Polisen ska tillsammans med Ljungby kommun initiera")
    assert (activity["parties"], activity["partners"]) == (["Polisen"], ["Ljungby kommun"])
    assert (activity["quantity"], activity["per"]) == (1, "year")


# --- Parts of the parser -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("genomföra 4 mätningar under året", (4, None, False)),
        ("minst 1 gång per år", (1, None, True)),
        ("tre till fyra gånger per år", (3, 4, False)),
        ("upp till fem stödsamtal", (None, 5, False)),
        ("åtminstone femtiotvå kontroller", (52, None, True)),
        ("2–3 skolbesök per termin", (2, 3, False)),
        ("en samverkansträff under året", (1, None, False)),
        ("ett utökat samarbete med skolan", (None, None, False)),
        ("minst två st. insatser", (2, None, True)),
    ],
)
def test_quantities_are_read_from_digits_words_ranges_and_bounds(
    text: str, expected: tuple[int | None, int | None, bool]
) -> None:
    amount = read_quantity(text)
    assert (amount.quantity, amount.quantity_max, amount.at_least) == expected


@pytest.mark.parametrize(
    "text",
    [
        "under 2024",
        "under vecka 47",
        "mellan kl. 10–11",
        "svara inom 48 timmar",
        "använda 15-minutersmetoden",
        "elever i årskurs 8",
        "barn 0–17 år",
        "unga under 18 år",
        "på E45, Lv 315 och väg 374",
        "från 2024-01-01",
        "enligt 14 kap. 1 §",
        "problemen ökade med 12 procent",
        "”En kommun fri från våld”",
    ],
)
def test_numbers_that_are_not_quantities_are_ignored(text: str) -> None:
    amount = read_quantity(f"Polisen ska arbeta med frågan {text}.")
    assert (amount.quantity, amount.quantity_max) == (None, None)


@pytest.mark.parametrize(
    ("text", "per", "quantity"),
    [
        ("Polisen ska patrullera varje vecka.", "week", 1),
        ("Kommunen ska städa parken varje månad.", "month", 1),
        ("Kommunen ska rapportera kvartalsvis.", "quarter", 1),
        ("Polisen ska genomföra en kontroll varje dygn.", "day", 1),
        ("Kommunen ska hålla 2 möten per termin.", "term", 2),
        ("Kommunen ska hålla 3 möten.", "period", 3),
        ("Kommunen ska hålla möten.", None, None),
    ],
)
def test_the_period_a_quantity_is_counted_over_is_read(
    text: str, per: str | None, quantity: int | None
) -> None:
    activity = parse_promise_text(f"Rubrik\n\n- {text}\n").activities[0]
    assert (activity.per, activity.quantity) == (per, quantity)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Medborgarlöftet för år 2023", date(2023, 1, 1), date(2023, 12, 31)),
        ("Löftet gäller 2023–2025.", date(2023, 1, 1), date(2025, 12, 31)),
        ("Under 2023−2026 lovar vi följande.", date(2023, 1, 1), date(2026, 12, 31)),
        ("Under tiden 1 januari 2023 - 31 december 2024 lovar polisen", date(2023, 1, 1), date(2024, 12, 31)),
        ("Löftet gäller 2022-01-01-- 2022-12-31", date(2022, 1, 1), date(2022, 12, 31)),
        ("Perioden 31 juni 2023 – 31 juni 2027", date(2023, 6, 30), date(2027, 6, 30)),
        ("Gäller från juni 2022–december 2023", date(2022, 6, 1), date(2023, 12, 31)),
    ],
)
def test_the_validity_period_is_read_in_its_many_spellings(text: str, start: date, end: date) -> None:
    assert find_period(text) == Period(start, end)


def test_a_year_promised_in_with_its_season_is_the_period() -> None:
    text = "Kungsholm – medborgarlöften\n\n- Kommunen bjuder in föräldrar vid minst två tillfällen under hösten 2015.\n"
    assert find_period(text) == Period(date(2015, 1, 1), date(2015, 12, 31))


def test_signing_and_update_dates_are_not_the_validity_period() -> None:
    text = "Kommunstyrelsen fastställde löftet den 19 mars 2020.\nSidan uppdaterad 2021-01-29"
    assert find_period(text) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Västerås stad och polisen lovar", "Västerås stad"),
        ("Ett löfte från Region Gotland och polisen", "Region Gotland"),
        ("I en trygg kommun samverkar Ljungby kommun och polis.", "Ljungby kommun"),
        ("Polisen lovar att vara synlig.", None),
    ],
)
def test_the_municipality_is_named_as_the_text_names_it(text: str, name: str | None) -> None:
    assert find_municipality(text) == name


# The police's page for each kommun is titled "<kommun> – medborgarlöften" and never says "kommun"; other titles
# put the name after the word or before it in the genitive. Names not in SCB's list (the corpus's) stay unnamed.
@pytest.mark.parametrize(
    ("text", "name", "line"),
    [
        (
            "Munkedal – medborgarlöften\n\nMedborgarlöften 2023-2024 grundar sig i en problembild.",
            "Munkedals kommun",
            1,
        ),
        ("Upplands Väsby - medborgarlöften", "Upplands Väsby kommun", 1),
        ("Malung-Sälen: Medborgarlöfte 2024", "Malung-Sälens kommun", 1),
        ("Om oss\nMedborgarlöfte 2024 för Lilla Edet\nPolisen ska hålla möten.", "Lilla Edets kommun", 2),
        ("Medborgarlöften i Umeå 2025–2027", "Umeå kommun", 1),
        ("Medborgarlöfte år 2025 Vännäs", "Vännäs kommun", 1),
        ("Läs Arjeplogs medborgarlöfte här.", "Arjeplogs kommun", 1),
        ("Gotland – medborgarlöften", "Region Gotland", 1),
        ("Medborgarlöfte Ekdala\nPolisen ska vara synlig.", None, None),
        ("Polisen – medborgarlöften\nVara synlig i centrum.", None, None),
        ("Ljungby – medborgarlöften\nMarkaryds kommun och polisen lovar", "Markaryds kommun", 2),
        ("Ljungby är en stad.\nPolisen ska vara synlig.", None, None),
        ("Medborgarlöftet för 2022 inriktas på Halmstads stadskärna.", "Halmstads kommun", 1),
        ("Lund skrev under medborgarlöftet med kommunalrådet Anna Lund.", None, None),
        ("Medborgarlöftet\nPolisen i Falun ska synas.", None, None),
    ],
)
def test_a_kommun_named_beside_the_word_medborgarlofte_is_found_in_scbs_list(
    text: str, name: str | None, line: int | None
) -> None:
    assert find_municipality_line(text) == (name, line)


def test_the_kommun_of_a_police_page_title_is_the_one_the_activities_name() -> None:
    text = "Munkedal – medborgarlöften\n\nLöften\n\n1. Att kommunen och polisen ska stödja grannsamverkan."
    promise = parse_promise_text(text)

    assert promise.municipality == "Munkedals kommun"
    assert promise.focus_areas[0].activities[0].parties == ["Munkedals kommun", "Polisen"]


@pytest.mark.parametrize(
    ("line", "parties"),
    [
        ("Polismyndigheten ska hålla öppet hus.", ["Polisen"]),
        ("LPO Norrvik ska hålla öppet hus.", ["Polisen"]),
        ("Kommunpolisen ska hålla öppet hus.", ["Polisen"]),
        ("Kommunens fältgrupp ska vara ute på kvällarna.", ["Kommunen"]),
        ("Räddningstjänsten ska hålla en övning.", ["Räddningstjänsten"]),
        ("Trygghetsvandringar ska genomföras i centrum.", []),
        ("Belysningen ska ses över och vid behov åtgärdas av kommunen.", ["Kommunen"]),
        ("Under hösten ska polisen besöka skolorna.", ["Polisen"]),
        # Verbs with a passive ending and an active meaning: the subject does them.
        ("Polisen ska synas i centrum varje fredag.", ["Polisen"]),
        ("Kommunen och polisen ska träffas fyra gånger per år.", ["Kommunen", "Polisen"]),
        ("Löftet innebär att polisen ska finnas på torget varje lördag.", ["Polisen"]),
        ("Belysningen ska ses över av kommunen.", ["Kommunen"]),
    ],
)
def test_parties_are_read_in_their_canonical_forms(line: str, parties: list[str]) -> None:
    activity = parse_promise_text(f"Rubrik\n\n- {line}\n").activities[0]
    assert activity.parties == parties


def test_we_in_a_joint_promise_means_both_signatories() -> None:
    text = "Medborgarlöfte\n\nKommunen och polisen har enats.\n\nOmråde\n\n- Vi ska hålla 2 möten per år.\n"
    assert sorted(parse_promise_text(text).activities[0].parties) == ["Kommunen", "Polisen"]


def test_we_in_a_police_only_promise_means_the_police() -> None:
    text = "Våra löften\n\nOmråde\n\n- Vi ska hålla 2 möten per år.\n"
    assert parse_promise_text(text).activities[0].parties == ["Polisen"]


def test_a_parent_bullet_ending_in_a_colon_hands_its_parties_to_its_sub_bullets() -> None:
    text = "Område\n\n- Polisen ska:\n  - hålla 2 möten per år\n  - patrullera varje vecka\n- Kommunen ska städa.\n"
    activities = parse_promise_text(text).activities
    assert [a.text for a in activities] == [
        "hålla 2 möten per år",
        "patrullera varje vecka",
        "Kommunen ska städa.",
    ]
    assert [a.parties for a in activities] == [["Polisen"], ["Polisen"], ["Kommunen"]]


def test_in_a_section_with_a_list_its_paragraphs_are_the_description() -> None:
    text = "Område\n\nPolisen ska arbeta för lugn.\n\n- Polisen ska hålla 2 möten per år.\n"
    area = parse_promise_text(text).focus_areas[0]
    assert area.description == "Polisen ska arbeta för lugn."
    assert len(area.activities) == 1


def test_a_goal_sentence_is_not_an_activity() -> None:
    text = "Område\n\nMålet är att färre ska känna oro. Polisen ska hålla 2 möten per år.\n"
    assert [a.text for a in parse_promise_text(text).activities] == ["Polisen ska hålla 2 möten per år."]


def test_a_text_without_any_promise_gives_no_focus_areas() -> None:
    assert parse_promise_text("Bakgrund\n\nDet har varit lugnt i år.\n").focus_areas == []


# --- The measurability check ----------------------------------------------------------------------------


def check(text: str, **overrides: Any) -> list[str]:
    arguments: dict[str, Any] = {
        "text": text,
        "parties": ["Polisen"],
        "quantity": None,
        "quantity_max": None,
        "per": None,
        "promise_has_period": True,
    }
    return check_activity(**(arguments | overrides))


def test_an_activity_with_party_quantity_and_period_has_no_findings() -> None:
    assert check("hålla 2 möten per år", quantity=2, per="year") == []


def test_an_activity_without_a_number_or_scope_lacks_a_quantity() -> None:
    assert check("patrullera i centrum") == ["no_quantity"]


def test_an_all_scope_makes_an_activity_measurable_without_a_number() -> None:
    assert check("besöka samtliga skolor") == []


def test_an_activity_nobody_owns_lacks_a_party() -> None:
    assert check("besöka samtliga skolor", parties=[]) == ["no_party"]


@pytest.mark.parametrize(
    "text",
    [
        "arbeta för ökad trygghet",
        "verka för fler nattvandrare",
        "löpande informera",
        "vid behov kalla till möte",
    ],
)
def test_vague_wording_is_flagged(text: str) -> None:
    assert "vague" in check(text, quantity=1)


def test_promptly_is_vague_without_a_deadline_and_fine_with_one() -> None:
    assert "vague" in check("sanera klotter skyndsamt", quantity=1)
    assert "vague" not in check("sanera klotter skyndsamt, inom 24 timmar", quantity=1)


def test_an_activity_lacks_a_period_only_when_the_promise_has_none_either() -> None:
    assert "no_period" in check("hålla 2 möten", quantity=2, per="period", promise_has_period=False)
    assert "no_period" not in check("hålla 2 möten", quantity=2, per="period", promise_has_period=True)
    assert "no_period" not in check("hålla 2 möten per år", quantity=2, per="year", promise_has_period=False)


# --- Properties ---------------------------------------------------------------------------------------------

LINE_PIECES = st.sampled_from(
    [
        "", "Polisen ska:", "Kommunen lovar att:", "Gemensamt:", "- genomföra minst 3 kontroller per år",
        "  - Vid 5 tillfällen per termin", "• Ljungby kommun ska sanera klotter", "1. Vi lovar att synas",
        "-Citat, säger någon", "Ansvarig: kommunen.", "# Rubrik", "Bakgrund", "tre till fyra gånger",
        "upp till fem", "vecka 47 kl. 10–11", "2023–2024", "(kommun och polis)", "Målet är att minska brotten.",
        ":", "-", "–", "•", "(", ")", "”", "Region", "kommun", "0", "99999999999999999999",
    ]
)  # fmt: skip
DOCUMENTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(LINE_PIECES, st.text(max_size=40)), max_size=25).map("\n".join),
)


@settings(max_examples=50, deadline=None)
@given(DOCUMENTS)
def test_the_parser_never_raises_and_its_result_is_json(text: str) -> None:
    result = to_json_dict(parse_promise_text(text))
    assert json.loads(json.dumps(result)) == result


@settings(max_examples=50, deadline=None)
@given(DOCUMENTS)
def test_quantities_are_never_negative_and_ranges_are_ordered(text: str) -> None:
    for activity in parse_promise_text(text).activities:
        assert activity.quantity is None or activity.quantity >= 0
        assert activity.quantity_max is None or activity.quantity_max >= 0
        if activity.quantity is not None and activity.quantity_max is not None:
            assert activity.quantity <= activity.quantity_max
        assert (activity.per is None) == (activity.quantity is None and activity.quantity_max is None)
        assert set(activity.issues) <= {"no_quantity", "no_party", "vague", "no_period"}
        assert activity.measurable == ("no_quantity" not in activity.issues)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["- hålla 2 möten per år", "- patrullera", "Polisen ska:", ""]), max_size=12))
def test_every_bullet_under_a_heading_is_at_most_one_activity(lines: list[str]) -> None:
    promise = parse_promise_text("Område\n\n" + "\n".join(lines))
    assert len(promise.activities) <= sum(line.startswith("- ") for line in lines)
