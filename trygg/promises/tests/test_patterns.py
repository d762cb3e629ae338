"""The thirteen patterns real published promises share (issue 17), one rule each, on texts of our own."""

from typing import Any

import pytest

from trygg.promises.parsing import (
    LOW_CONFIDENCE,
    ParsedPromise,
    find_period,
    parse_promise_text,
    read_quantity,
)


def parse(text: str) -> ParsedPromise:
    return parse_promise_text(text)


def titles(promise: ParsedPromise) -> list[str | None]:
    return [area.title for area in promise.focus_areas]


def texts(promise: ParsedPromise) -> list[str]:
    return [activity.text for activity in promise.activities]


def rates(promise: ParsedPromise) -> list[tuple[int | None, str | None]]:
    """Each activity's quantity and what it is per ("year", "week", "period" …)."""
    return [(activity.quantity, activity.per) for activity in promise.activities]


def by_text(promise: ParsedPromise) -> dict[str, Any]:
    return {activity.text: activity for activity in promise.activities}


# 1. No problem headings: one implicit focus area ---------------------------------------------------------


def test_without_problem_headings_the_area_is_titled_by_the_nearest_heading_above_the_first_activity() -> (
    None
):
    promise = parse(
        "# Medborgarlöfte för Ekby kommun\n\n## Bakgrund\n\nText.\n\n## Det här ska vi göra\n\n"
        "### Polisen ska:\n\n- patrullera i centrum\n\n### Kommunen ska:\n\n- städa parken\n"
    )
    assert titles(promise) == ["Det här ska vi göra"]
    assert len(promise.activities) == 2


def test_without_any_heading_above_the_activities_the_document_title_names_the_area() -> None:
    promise = parse(
        "Medborgarlöfte 2024 för Ekby kommun\n\nPolisen och kommunen lovar att:\n- hålla två möten\n"
    )
    assert titles(promise) == ["Medborgarlöfte 2024 för Ekby kommun"]


def test_a_text_without_headings_still_gets_a_title() -> None:
    promise = parse("Polisen ska hålla två möten per år. Kommunen ska städa parken varje vecka.")
    assert promise.focus_areas and all(area.title for area in promise.focus_areas)


# 2. Headings ending in a colon ---------------------------------------------------------------------------


def test_headings_ending_in_a_colon_open_areas_when_items_follow() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\nNärvaro och trafiksäkerhet:\n- öka närvaron vid skolorna\n\n"
        "Minska narkotikan genom att:\n- söka med hund på gymnasiet\n"
    )
    assert titles(promise) == ["Närvaro och trafiksäkerhet", "Minska narkotikan genom att"]


# 3. Goal sentences as area titles --------------------------------------------------------------------------

GOAL = "Polisen och kommunen lovar att tillsammans arbeta för att {goal}.\nDet ska åstadkommas genom följande aktiviteter:\n"


def test_each_goal_sentence_over_its_own_items_opens_an_area() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\n"
        + GOAL.format(goal="trafiken ska bli lugnare")
        + "- Polisen ska mäta hastigheten.\n\n"
        + GOAL.format(goal="färre ska utsättas för bedrägerier")
        + "- Kommunen ska hålla två träffar.\n"
    )
    assert titles(promise) == [
        "Polisen och kommunen lovar att tillsammans arbeta för att trafiken ska bli lugnare",
        "Polisen och kommunen lovar att tillsammans arbeta för att färre ska utsättas för bedrägerier",
    ]


def test_a_single_lead_sentence_before_all_items_is_not_an_area_but_gives_its_parties() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\n"
        + GOAL.format(goal="trafiken ska bli lugnare")
        + "- mäta hastigheten\n- Hastighetsskyltar ska sättas upp.\n"
    )
    assert titles(promise) == ["Medborgarlöfte Ekby kommun 2024"]
    assert [sorted(activity.parties) for activity in promise.activities] == [["Ekby kommun", "Polisen"]] * 2


# 4. The police page template -------------------------------------------------------------------------------


def test_the_police_template_keeps_only_what_we_will_do() -> None:
    promise = parse(
        "# Ekby\n\n## Situationen idag\n\nDe största problemen:\n\n- narkotika\n- trafik\n\n"
        "## Det här ska vi göra\n\n- Polisen ska genomföra fyra insatser.\n\n"
        "## Det här ska vi åstadkomma tillsammans\n\n- Färre ska använda narkotika.\n- Ökad trygghet\n\n"
        "## Följ med i hur det går\n\n- Uppföljning två gånger per år\n\n## Läs mer\n\n- Ekby kommun ska hålla möten.\n"
    )
    assert texts(promise) == ["Polisen ska genomföra fyra insatser."]
    assert titles(promise) == ["Det här ska vi göra"]


# 5. Party headers and lead-ins -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "parties"),
    [
        ("Polisens aktiviteter:", ["Polisen"]),
        ("Kommunens aktiviteter:", ["Ekby kommun"]),
        ("Gemensamma aktiviteter:", ["Ekby kommun", "Polisen"]),
        ("Polisen ansvarar för att:", ["Polisen"]),
        ("Ekby kommun lovar att", ["Ekby kommun"]),
        ("Ekby kommun och lokalpolisområde Ekdalen avger härmed löfte om:", ["Ekby kommun", "Polisen"]),
        ("Räddningstjänsten:", ["Räddningstjänsten"]),
    ],
)
def test_a_party_header_gives_its_parties_to_the_items_under_it(header: str, parties: list[str]) -> None:
    promise = parse(f"Medborgarlöfte Ekby kommun 2024\n\nTrafik\n\n{header}\n- att hålla två möten\n")
    assert sorted(promise.activities[0].parties) == sorted(parties)
    assert titles(promise) == ["Trafik"]


def test_a_joint_lead_in_with_a_sentence_of_its_own_then_detta_ska_goras_gives_both_parties() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\nEkby kommun och lokalpolisområde Ekdalen lovar att minska "
        "klottret. Detta ska göras genom att:\n- sanera klotter inom ett dygn\n"
    )
    assert sorted(promise.activities[0].parties) == ["Ekby kommun", "Polisen"]


# 6. Numbered parents without a colon -----------------------------------------------------------------------


def test_a_numbered_parent_without_a_colon_is_a_lead_in_for_the_bullets_that_complete_it() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\n1. Polisen skall synas mer i centrum genom\n\n"
        "• fotpatrullering på kvällar\n\n• minst två besök per vecka på fritidsgården\n\n"
        "2. Kommunen ska städa parken varje vecka.\n"
    )
    assert texts(promise) == [
        "fotpatrullering på kvällar",
        "minst två besök per vecka på fritidsgården",
        "Kommunen ska städa parken varje vecka.",
    ]
    assert [activity.parties for activity in promise.activities] == [
        ["Polisen"],
        ["Polisen"],
        ["Ekby kommun"],
    ]


# 7. and 8. Infinitive items and agentless passives ---------------------------------------------------------


def test_lower_case_infinitives_inherit_and_agentless_passives_have_no_party_without_a_header() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\nTrafik\n\nPolisens aktiviteter:\n- öka närvaron vid skolorna\n"
        "- kontroller ska göras vid skolorna\n\nKlotter\n\n- Klotter kommer att saneras inom en vecka.\n"
        "- En kartläggning av platserna ska göras.\n"
    )
    parties = [activity.parties for activity in promise.activities]
    assert parties == [["Polisen"], ["Polisen"], [], []]
    assert "no_party" in promise.activities[2].issues


# 9. Numbers that are not quantities ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kommunen ska följa planen, se bilaga 1.",
        "Kommunen ska arbeta enligt punkt 3 i handlingsplanen.",
        "Polisen ska besöka elever i årskurs 4–6.",
        "Kommunen ska ta fram en bättre gemensam lägesbild.",
        "Kommunen ska använda den årliga trygghetsmätningen.",
        "Kommunen ska sänka hastigheten till 30 km/h.",
        "Polisen ska från och med den 1 augusti 2024 patrullera.",
    ],
)
def test_references_grades_dates_articles_and_surveys_are_not_quantities(text: str) -> None:
    activity = parse(f"Rubrik\n\n- {text}\n").activities[0]
    assert (activity.quantity, activity.quantity_max, activity.per) == (None, None, None)


# 10. Quantities in real wording ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quantity", "at_least", "per"),
    [
        ("Polisen ska vara i centrum minst en gång i månaden i snitt över året.", 1, True, "month"),
        ("Polisen ska ha minst tre medborgarkontakter i snitt per vecka.", 3, True, "week"),
        ("Polisen genomför 2 insatser/år mot mopedbuskörning.", 2, False, "year"),
        ("Varje kvartal bjuder kommunen in butikerna till en samverkansträff.", 1, False, "quarter"),
        ("Kommunen ska hålla ett öppet dialogmöte minst en gång per år.", 1, True, "year"),
    ],
)
def test_quantities_in_the_wording_of_real_promises(
    text: str, quantity: int, at_least: bool, per: str
) -> None:
    activity = parse(f"Rubrik\n\n- {text}\n").activities[0]
    assert (activity.quantity, activity.at_least, activity.per) == (quantity, at_least, per)


def test_a_count_at_each_event_is_measurable_without_a_period() -> None:
    activity = parse(
        "Rubrik\n\n- Kommunen delar ut foldrar vid varje genomförd trygghetsvandring.\n"
    ).activities[0]
    assert (activity.quantity, activity.per, activity.measurable) == (None, None, True)
    assert read_quantity("en folder vid varje genomförd trygghetsvandring").quantity is None


# 11. Periods -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Löftet gäller 2018-07-01—2020-06-30.", ("2018-07-01", "2020-06-30")),
        ("Medborgarlöfte Ekby 2022–2024", ("2022-01-01", "2024-12-31")),
        (
            "# Ekby\n\nMellan 2016–2018 ökade inbrotten.\n\n## Medborgarlöfte 2019-2020",
            ("2019-01-01", "2020-12-31"),
        ),
        ("Medborgarlöfte för Ekby kommun\n\nEkby den 12 mars 2023", None),
        ("Medborgarlöfte för Ekby kommun\n\nPublicerad 2023-03-12", None),
    ],
)
def test_the_period_is_read_from_the_promise_and_never_from_a_signature_or_statistics(
    text: str, period: tuple[str, str] | None
) -> None:
    found = find_period(text)
    assert (None if found is None else (found.start.isoformat(), found.end.isoformat())) == period


# 12. Actors --------------------------------------------------------------------------------------------------


def test_a_unit_of_the_municipality_is_the_municipality_and_associations_are_partners() -> None:
    promise = parse(
        "Ekby – medborgarlöften\n\nUnga\n\n- Socialtjänsten i Ekby ska ha fältare ute.\n"
        "- Fritidsförvaltningen ska öppna gården tillsammans med föreningar.\n"
    )
    assert promise.municipality is None
    assert [activity.parties for activity in promise.activities] == [["Kommunen"], ["Kommunen"]]
    assert promise.activities[1].partners == ["föreningar"]


# 13. Page debris -------------------------------------------------------------------------------------------


def test_page_debris_gives_no_activities_and_no_areas() -> None:
    promise = parse(
        "Hoppa till huvudinnehållet\nMeny\nStart › Trygghet › Medborgarlöfte\n"
        "Vi använder kakor för att webbplatsen ska fungera.\nGodkänn alla kakor\n"
        "Medborgarlöfte Ekby kommun 2024\nBild: Polisen och kommunen på torget.\nDela\n\n"
        "Våra löften\n\n- Polisen ska hålla fyra möten.\n\nTill toppen\nTelefon: 0123-456 78\n"
    )
    assert titles(promise) == ["Våra löften"]
    assert texts(promise) == ["Polisen ska hålla fyra möten."]


# Confidence and the source line ------------------------------------------------------------------------------


def test_every_area_and_activity_carries_a_confidence_and_the_doubtful_ones_are_lower() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\nPolisen ska hålla fyra möten per år. Kommunen ska städa.\n\n"
        "## Trafik\n\n- Polisen ska genomföra 12 kontroller per år.\n- Skyltar ska sättas upp.\n"
    )
    listed = by_text(promise)
    sure = listed["Polisen ska genomföra 12 kontroller per år."]
    unsure = listed["Skyltar ska sättas upp."]
    assert 0 < unsure.confidence < sure.confidence <= 1
    assert "no_party" in unsure.doubts
    assert all(0 < area.confidence <= 1 for area in promise.focus_areas)


def test_a_sentence_about_the_promise_being_in_force_is_not_an_activity() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\nEftersom läget är oförändrat ska förra årets löften gälla även i år. "
        "Läget är detsamma, så 2023 års löften ska gälla även 2024. "
        "Kommunen och polisen ska genomföra två trygghetsvandringar. Polisen ska, som löftet säger, hålla två möten. "
        "Medborgarlöftet ska också gälla under 2025.\n"
    )
    assert texts(promise) == [
        "Kommunen och polisen ska genomföra två trygghetsvandringar.",
        "Polisen ska, som löftet säger, hålla två möten.",
    ]


def test_a_list_of_the_areas_a_promise_focuses_on_holds_no_activities() -> None:
    # The shape of the police's page for a kommun whose promise names its areas and leaves the activities for later.
    promise = parse(
        "Ekby – medborgarlöften\n\nMedborgarlöftet bygger på en enkät bland invånarna.\n\n"
        "## Medborgarlöfte 2024–2026\n\nPolisen och kommunen ska under 2024–2026 fokusera på tre områden. "
        "Till varje område kommer det att kopplas aktiviteter som parterna tar fram tillsammans.\n\n"
        "- Öka tryggheten i centrum.\n- Minska skadegörelsen.\n- Förebygga inbrott.\n\n"
        "## Återkoppling\n\nÅterkoppling om det arbete som bedrivs sker via webbplatsen och i sociala medier.\n"
    )
    assert texts(promise) == []


def test_areas_named_before_a_promising_lead_in_keep_its_activities() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\nLöftet har tre fokusområden. Polisen lovar att:\n\n"
        "- genomföra fyra trafikkontroller per år.\n- besöka skolorna två gånger per termin.\n"
    )
    assert texts(promise) == [
        "genomföra fyra trafikkontroller per år.",
        "besöka skolorna två gånger per termin.",
    ]


def test_an_item_that_is_an_infinitive_after_att_is_not_doubted_for_want_of_a_verb() -> None:
    promise = parse(
        "Löften\n\n1. Att öka samverkan mellan polis och skola.\n2. Att samordnat arbeta mot narkotika.\n"
        "3. genomföra trygghetsvandringar.\n4. Att fler vuxna på stan.\n"
    )
    doubts = {text: activity.doubts for text, activity in by_text(promise).items()}
    assert "no_verb" not in doubts["Att öka samverkan mellan polis och skola."]
    assert "no_verb" not in doubts["Att samordnat arbeta mot narkotika."]
    assert "no_verb" not in doubts["genomföra trygghetsvandringar."]
    assert "no_verb" in doubts["Att fler vuxna på stan."]


def test_an_area_named_only_by_the_document_title_is_a_low_confidence_guess() -> None:
    promise = parse("Polisen ska hålla två möten per år. Kommunen ska städa parken varje vecka.")
    assert promise.focus_areas[0].confidence < LOW_CONFIDENCE
    assert "document_title" in promise.focus_areas[0].doubts


def test_each_activity_remembers_its_source_line_and_where_its_parties_were_read() -> None:
    text = "Medborgarlöfte Ekby kommun 2024\n\nTrafik\n\nPolisen lovar att:\n- mäta hastigheten\n"
    promise = parse(text)
    activity = promise.activities[0]
    assert (activity.line, activity.party_line) == (6, 5)
    assert promise.source_line(activity.line) == "- mäta hastigheten"
    assert promise.source_line(activity.party_line) == "Polisen lovar att:"
    assert promise.source_line(promise.focus_areas[0].line) == "Trafik"
    assert promise.source_line(promise.period_line) == "Medborgarlöfte Ekby kommun 2024"


# Found on published pages read after the thirteen patterns (December 2026), each on a text of our own ------------


def test_a_lead_in_opening_with_a_date_range_names_the_party_after_its_verb() -> None:
    promise = parse(
        "Insatser\n\nUnder tiden 1 april 2025 - 31 mars 2026 lovar polisen att:\n\n- Besöka skolorna.\n\n"
        "För att färre ska råka illa ut lovar kommunen att:\n\n- Laga belysningen.\n"
    )
    assert [activity.parties for activity in promise.activities] == [["Polisen"], ["Kommunen"]]
    assert titles(promise) == ["Insatser"]


def test_an_item_opening_with_a_capital_att_still_names_its_own_party() -> None:
    promise = parse("Trafik\n\n- Att polisen ska mäta hastigheten.\n- Att kommunen ska bygga farthinder.\n")
    assert [activity.parties for activity in promise.activities] == [["Polisen"], ["Kommunen"]]


def test_the_follow_up_of_another_year_does_not_give_the_period() -> None:
    text = (
        "Ekby – medborgarlöfte\n\nAktiviteter\n\n- Polisen ska under 2025 mäta hastigheten.\n\n"
        "Uppföljning av medborgarlöfte 2024\n"
    )
    period = find_period(text)
    assert period is not None and (period.start.year, period.end.year) == (2025, 2025)
    assert find_period("Medborgarlöfte Ekby\n\nUppföljning av medborgarlöfte 2024\n") is None


def test_prose_under_headings_above_the_first_list_introduces_the_promise() -> None:
    promise = parse(
        "# Ekby – medborgarlöfte\n\n## Ekby\n\nUnder 2025 kommer polisen att synas mer i hamnen.\n\n"
        "## Vårt löfte\n\nUnder 2025 kommer polisen och kommunen att arbeta mot stölder.\n\n"
        "## Aktiviteter under 2025\n\n- Polisen ska patrullera hamnen.\n- Kommunen ska sätta upp lampor.\n\n"
        "## Trafik\n\nKommunen ska bygga två farthinder.\n"
    )
    assert titles(promise) == ["Aktiviteter under 2025", "Trafik"]
    assert texts(promise)[-1] == "Kommunen ska bygga två farthinder."


def test_items_the_activities_below_are_the_means_to_are_goals_not_activities() -> None:
    promise = parse(
        "Medborgarlöfte 2025\n\n- Minska stölderna i hamnen.\n\n"
        "Det ska vi åstadkomma genom följande aktiviteter\n\n- Polisen ska patrullera hamnen.\n"
    )
    assert texts(promise) == ["Polisen ska patrullera hamnen."]


def test_a_comma_list_of_partners_ending_in_och_is_read_whole() -> None:
    promise = parse(
        "Trafik\n\n- Polisen ska tillsammans med skolor, fritidsgårdar och kyrkor finnas i centrum.\n"
    )
    assert promise.activities[0].partners == ["skolor", "fritidsgårdar", "kyrkor"]
    first = parse("Trafik\n\n- Polisen ska tillsammans med skolan, varje vecka, besöka torget.\n").activities[
        0
    ]
    assert [partner.lower() for partner in first.partners] == ["skolan"]


def test_a_number_after_a_possessive_names_a_set_and_the_unit_stops_at_its_verb() -> None:
    assert read_quantity("Polisen ska följa läget i våra tre kommundelar.").quantity is None
    promise = parse("Trafik\n\n- Varje år kommer minst en kampanj att genomföras.\n")
    assert (promise.activities[0].quantity, promise.activities[0].unit) == (1, "kampanj")


def test_items_under_a_priorities_lead_in_are_activities_only_when_nothing_else_is() -> None:
    only = parse(
        "Medborgarlöfte Ekby kommun 2025\n\nPolisen och kommunen har valt följande prioriterade områden:\n\n"
        "- Vi ska tillsammans göra torget tryggare.\n- Trygghet i trafiken\n"
    )
    assert [activity.text for activity in only.activities] == ["Vi ska tillsammans göra torget tryggare."]
    assert sorted(only.activities[0].parties) == ["Ekby kommun", "Polisen"]
    beside = parse(
        "Medborgarlöfte Ekby kommun 2025\n\nPrioriterade områden:\n\n- Vi ska tillsammans göra torget tryggare.\n\n"
        "Det här gör vi\n\n- Polisen ska patrullera torget varje fredag.\n"
    )
    assert [activity.text for activity in beside.activities] == [
        "Polisen ska patrullera torget varje fredag."
    ]


def test_framfor_allt_and_allt_fler_name_no_scope() -> None:
    promise = parse(
        "Trafik\n\n- Polisen ska nå framför allt unga förare.\n- Polisen ska nå alla unga förare.\n"
    )
    assert [activity.measurable for activity in promise.activities] == [False, True]


def test_a_first_line_of_running_prose_does_not_title_the_focus_area() -> None:
    promise = parse(
        "Under 2026 lovar polisen och kommunen att göra Ekby tryggare för dem som bor där. Det blir flera insatser "
        "under året.\n\nPolisen ska patrullera torget varje fredag.\n"
    )
    assert [area.title for area in promise.focus_areas] == ["Medborgarlöfte"]
    titled = parse("Trygg i Ekby 2026\n\nPolisen ska patrullera torget varje fredag.\n")
    assert [area.title for area in titled.focus_areas] == ["Trygg i Ekby 2026"]


def test_the_signing_section_holds_no_activities() -> None:
    promise = parse(
        "Löften till Ekby\n\nLöftet har två delar:\n\n… att polisen ska synas mer på torget\n\n"
        "… att kommunen ska laga belysningen i parken\n\nSkriver under\n\n"
        "Kommunstyrelsens ordförande och lokalpolisområdets chef skriver under löftet.\n"
    )
    assert texts(promise) == [
        "… att polisen ska synas mer på torget",
        "… att kommunen ska laga belysningen i parken",
    ]


def test_every_weekend_is_once_a_week() -> None:
    promise = parse(
        "Centrum\n\n- Polisen ska synas på torget varje helg.\n- Kommunen ska ha fältassistenter ute alla helger.\n"
    )
    assert rates(promise) == [
        (1, "week"),
        (1, "week"),
    ]


def test_a_target_group_ends_where_a_table_row_joins_its_next_column() -> None:
    promise = parse(
        "Centrum\n\n- Trygghetsvandring med boende och fastighetsägare – Kommunen – Två gånger per år\n"
    )
    assert promise.activities[0].target_group == "boende och fastighetsägare"


def test_a_target_group_ends_where_the_means_begin_and_never_on_a_conjunction() -> None:
    promise = parse(
        "Byarna\n\n- Kommunen ska möta unga och äldre genom samtal i byarna och på torget.\n"
        "- Polisen ska hålla föreläsningar för elever och på fritidsgårdar.\n"
        "- Kommunen ska ordna en trygghetsvandring med unga vuxna som målgrupp.\n"
        "- Polisen ska öka närvaron i miljöer där barn och ungdomar vistas.\n"
        "- Polisen ska informera äldre som bor ensamma om bedrägerier.\n"
        "- Polisen ska besöka ungdomar som ska börja gymnasiet.\n"
    )
    assert [activity.target_group for activity in promise.activities] == [
        "unga och äldre",
        "elever",
        "unga vuxna",
        "barn och ungdomar",
        "äldre som bor ensamma",
        "ungdomar som ska börja gymnasiet",
    ]


def test_an_auxiliary_and_an_adverb_over_a_list_lend_its_items_their_parties() -> None:
    # The parent item holds the doers and "skall"; each item below holds the verb (as Gällivare wrote in 2017).
    promise = parse(
        "Medborgarlöften 2024\n\n1. Polisen ska genom\n\n- Trafikkontroller vid skolorna\n\n"
        "2. Polisen och kommunen skall tillsammans\n\n- Minska mopedåkningen på torget\n"
        "- Genomföra två föräldramöten\n"
    )
    assert [(activity.text, activity.parties) for activity in promise.activities] == [
        ("Trafikkontroller vid skolorna", ["Polisen"]),
        ("Minska mopedåkningen på torget", ["Polisen", "Kommunen"]),
        ("Genomföra två föräldramöten", ["Polisen", "Kommunen"]),
    ]


def test_a_company_or_utility_no_list_knows_does_what_its_item_or_lead_in_says() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\nPolisen och kommunen lovar att:\n\n"
        "- Ekby Energi (EEAB) ska byta ut belysningen längs gång- och cykelvägarna.\n"
        "- Ekbybostäder ska förbättra belysningen vid sina hus på Skolgatan (4).\n\n"
        "Gällande trafiken kommer Tekniska verken även att:\n\n- Arbeta med en cykelplan för centrum.\n\n"
        "Trafik kommer att prioriteras:\n\n- genomföra kontroller vid skolorna.\n\n"
        "Gällande trafiken kommer följande att göras:\n\n- genomföra fler kontroller vid skolorna.\n"
    )
    assert [(activity.parties, activity.quantity) for activity in promise.activities] == [
        (["Ekby Energi"], None),
        (["Ekbybostäder"], None),
        (["Tekniska verken"], None),
        (["Polisen", "Ekby kommun"], None),
        (["Polisen", "Ekby kommun"], None),
    ]


def test_the_chosen_themes_are_no_activities_and_all_three_is_no_count() -> None:
    promise = parse(
        "Medborgarlöften 2024\n\nInför arbetet valdes tre temaområden:\n\n- Trafik\n- Klotter och skadegörelse\n\n"
        "Kommunens löften:\n\n- Att se över belysningen i alla tre stadsdelarna.\n"
    )
    assert [(activity.text, activity.quantity) for activity in promise.activities] == [
        ("Att se över belysningen i alla tre stadsdelarna.", None)
    ]


def test_the_partners_end_where_the_verb_of_a_lead_in_item_begins() -> None:
    promise = parse(
        "Centrum\n\nPolisen och kommunen lovar att:\n\n"
        "- i samverkan med andra aktörer bidra till en tryggare stadskärna\n"
        "- tillsammans med handlarna bevaka nya arbetssätt\n"
    )
    assert [activity.partners for activity in promise.activities] == [["andra aktörer"], ["handlarna"]]


def test_a_photo_caption_titles_nothing_and_what_worries_residents_is_no_activity() -> None:
    promise = parse(
        "Medborgarlöfte 2024\n\nBild från torget i Ekby\n\nMedborgarlöfte 2024:\n\n"
        "- Polisen ska hålla fyra möten.\n\nDet som oroar flest i Ekby är:\n\n- Inbrott\n- Stöld\n"
    )
    assert titles(promise) == ["Medborgarlöfte 2024"]
    assert texts(promise) == ["Polisen ska hålla fyra möten."]


def test_an_item_whose_second_sentence_names_another_doer_is_two_activities() -> None:
    promise = parse(
        "Byarna\n\n- Polisen ska synas i byarna varje vecka. Polis och kommun ska hålla två möten med skolorna.\n"
        "- Polisen ska hålla fyra kontroller. Polisen ska också besöka skolan.\n"
        "- Kommunen ska städa torget. Detta ska ske varje vecka.\n"
    )
    assert [(activity.text, activity.parties) for activity in promise.activities] == [
        ("Polisen ska synas i byarna varje vecka.", ["Polisen"]),
        ("Polis och kommun ska hålla två möten med skolorna.", ["Polisen", "Kommunen"]),
        ("Polisen ska hålla fyra kontroller. Polisen ska också besöka skolan.", ["Polisen"]),
        ("Kommunen ska städa torget. Detta ska ske varje vecka.", ["Kommunen"]),
    ]


def test_the_partners_end_where_how_often_begins() -> None:
    promise = parse(
        "Skolan\n\n- Kommunen ska tillsammans med skolan och föreningarna en gång per termin ordna en träff.\n"
        "- Polisen ska tillsammans med Ekbyhem varje vecka gå genom området.\n"
    )
    assert [activity.partners for activity in promise.activities] == [["Skolan", "föreningarna"], ["Ekbyhem"]]
    assert rates(promise) == [
        (1, "term"),
        (1, "week"),
    ]


def test_words_symbol_font_bullets_are_bullets() -> None:
    # As a Word document's bullets come out of a PDF: the Symbol font's dot in the private use area, and
    # Wingdings' arrow as the letter of its code.
    promise = parse(
        "Trafik\n\nPolisen lovar att:\n\uf0b7 kontrollera hastigheten vid skolan varje vecka\n\n"
        "Kommunen lovar att:\n\nØ laga belysningen i parken\nØ ta bort klotter inom ett dygn\n\n"
        "Skolan\n\nPolisen lovar att:\n  o besöka skolan varje termin\n  o tala med eleverna i årskurs 8\n"
    )
    assert [(activity.text, activity.parties) for activity in promise.activities] == [
        ("kontrollera hastigheten vid skolan varje vecka", ["Polisen"]),
        ("laga belysningen i parken", ["Kommunen"]),
        ("ta bort klotter inom ett dygn", ["Kommunen"]),
        ("besöka skolan varje termin", ["Polisen"]),
        ("tala med eleverna i årskurs 8", ["Polisen"]),
    ]


def test_a_recurrence_naming_two_times_is_twice() -> None:
    promise = parse(
        "Centrum\n\n- Kommunen ska ordna trygghetsvandringar vår och höst.\n"
        "- Föreningarna ska nattvandra varje fredag och lördag.\n- Polisen ska synas på torget varje fredag.\n"
    )
    assert rates(promise) == [
        (2, "year"),
        (2, "week"),
        (1, "week"),
    ]


def test_parties_joined_by_a_slash_or_och_eller_are_each_named() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2025\n\nSkolan\n\n- Kontroller vid skolan\n  Ansvarig: Polisen/Kommunen\n"
        "- Polisen/kommunen ska besöka skolan varje termin.\n- Besök på skolan varje termin (polis/kommun).\n"
        "- Kommunen och/eller polisen ska informera föräldrar.\n- Alkohol/drogkontroller ska göras av polisen.\n"
    )
    assert [sorted(activity.parties) for activity in promise.activities] == [
        ["Ekby kommun", "Polisen"],
        ["Ekby kommun", "Polisen"],
        ["Ekby kommun", "Polisen"],
        ["Ekby kommun", "Polisen"],
        ["Polisen"],
    ]


def test_every_other_or_every_third_week_month_or_year_is_a_rate() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2023–2026\n\nCentrum\n\n"
        "- Polisen ska patrullera till fots varannan onsdag.\n"
        "- Kommunen ska ordna trygghetsvandringar varannan månad.\n"
        "- Kommunen ska genomföra en trygghetsmätning minst vartannat år.\n"
        "- Polisen ska hålla två möten med handlarna var tredje månad.\n"
        "- Fältassistenterna ska besöka fritidsgården var fjortonde dag.\n"
    )
    assert rates(promise) == [
        (26, "year"),
        (6, "year"),
        (2, "period"),
        (8, "year"),
        (26, "year"),
    ]
    assert promise.activities[2].at_least
    assert promise.activities[2].unit == "trygghetsmätning"
    assert all(activity.measurable for activity in promise.activities)


def test_a_number_after_the_verb_var_is_no_rate() -> None:
    promise = parse(
        "Centrum\n\n- Kommunen ska laga bänkarna, som var 10 år gamla, och kontrollera dem var 3:e vecka.\n"
    )
    assert rates(promise) == [(17, "year")]


def test_every_other_year_in_a_one_year_promise_is_once() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2025\n\nCentrum\n\n- Kommunen ska mäta tryggheten varannat år.\n"
    )
    assert rates(promise) == [(1, "period")]


def test_a_numbered_label_before_an_areas_title_is_not_part_of_it() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2025\n\nFokusområde 1: Trygg stadskärna\n\n- Polisen ska patrullera i centrum.\n\n"
        "Löfte 2 – Trafiksäkerhet\n\n- Polisen ska kontrollera hastigheten vid skolan.\n\n"
        "Prioriterat område III. Narkotika\n\n- Polisen ska söka med hund på gymnasiet.\n\n"
        "Fokusområde 4\n\n- Kommunen ska laga belysningen.\n"
    )
    assert titles(promise) == ["Trygg stadskärna", "Trafiksäkerhet", "Narkotika", "Fokusområde 4"]


def test_holding_the_yearly_event_is_once_a_year_and_using_the_yearly_survey_promises_no_count() -> None:
    promise = parse(
        "Centrum\n\n- Kommunen ska genomföra den årliga trygghetsvandringen i centrum.\n"
        "- Polisen ska delta i de årliga föräldramötena.\n"
        "- Kommunen ska använda resultaten från den årliga trygghetsmätningen.\n"
    )
    assert rates(promise) == [
        (1, "year"),
        (1, "year"),
        (None, None),
    ]


def test_a_page_explaining_what_a_promise_is_holds_no_activities() -> None:
    promise = parse(
        "Medborgarlöfte\n\nEn gång om året lovar polisen och staden att göra något extra för tryggheten i "
        "stadsdelen. Ett sådant löfte kallas för medborgarlöfte.\n\n"
        "Aktiviteter som polisen och stadsdelen ska göra\n\n"
        "Först frågar polisen de boende vad de tycker. Sedan skrivs löftet.\n\n"
        "Syften med medborgarlöften\n\n- Öka tryggheten i stadsdelen.\n- Stärka förtroendet för polisen.\n"
    )
    assert promise.activities == []


def test_a_promise_after_the_sentence_explaining_promises_is_read() -> None:
    promise = parse(
        "Medborgarlöfte Ekby kommun 2024\n\nTrygghet i centrum\n\nEtt medborgarlöfte är ett löfte från polisen och "
        "kommunen till invånarna. Under året ska polisen genomföra fyra trygghetsvandringar i centrum.\n"
    )
    assert texts(promise) == ["Under året ska polisen genomföra fyra trygghetsvandringar i centrum."]


def test_a_label_heading_with_a_relative_clause_is_a_heading() -> None:
    promise = parse(
        "Centrum\n\nÅtgärder som kommunen och polisen ska genomföra\n\n"
        "Polisen ska patrullera på torget varje fredag. Kommunen ska laga belysningen i parken.\n"
    )
    assert texts(promise) == [
        "Polisen ska patrullera på torget varje fredag.",
        "Kommunen ska laga belysningen i parken.",
    ]
    assert titles(promise) == ["Centrum"]


@pytest.mark.parametrize("footer", ["Sida 2", "Sidan 2", "Sidan 2 av 5", "sida 3/4"])
def test_a_page_number_line_is_no_part_of_the_area(footer: str) -> None:
    promise = parse(f"# Medborgarlöfte\n\n## Centrum\n\n- Polisen ska patrullera varje fredag.\n\n{footer}\n")
    assert footer not in promise.focus_areas[0].description
    assert texts(promise) == ["Polisen ska patrullera varje fredag."]


@pytest.mark.parametrize(
    ("item", "place"),
    [
        ("Kommunen ska göra fyra trygghetsvandringar i och kring Ekby resecentrum.", "Ekby resecentrum"),
        ("Polisen ska patrullera på och runt torget varje fredag.", "torget"),
        ("Polisen ska patrullera vid eller i skolorna varje vecka.", "skolorna"),
        ("Polisen ska patrullera i centrum varje fredag.", "centrum"),
    ],
)
def test_two_prepositions_before_one_place_are_no_part_of_it(item: str, place: str) -> None:
    promise = parse(f"Trygghet\n\n- {item}\n")
    assert [activity.place for activity in promise.activities] == [place]


@pytest.mark.parametrize(
    ("item", "group"),
    [
        ("Polisen ska informera om brott mot äldre, stölder och inbrott två gånger per år.", "äldre"),
        (
            "Kommunen ska bjuda in medborgare, föreningar och företagare till två möten.",
            "medborgare, föreningar och företagare",
        ),
        ("Polisen ska hålla två möten för alla medborgare och specifikt med unga.", "alla medborgare"),
        ("Kommunen ska bjuda in elever och deras föräldrar till ett möte.", "elever och deras föräldrar"),
        (
            "Kommunen ska bjuda in ungdomar i åldern 13 och 17 år till fyra träffar.",
            "ungdomar i åldern 13 och 17 år",
        ),
        (
            "Kommunen ska varje vecka stödja ungdomar som riskerar kriminalitet eller missbruk.",
            "ungdomar som riskerar kriminalitet eller missbruk",
        ),
        (
            "Polisen ska hålla en kampanj riktad till årskurs 3 för att motverka att unga vuxna langar alkohol.",
            "årskurs 3",
        ),
    ],
)
def test_a_target_groups_list_ends_at_its_first_item_that_names_no_people(item: str, group: str) -> None:
    promise = parse(f"Trygghet\n\n- {item}\n")
    assert [activity.target_group for activity in promise.activities] == [group]


@pytest.mark.parametrize(
    "sentence",
    [
        "Dialogen ska bidra till lägesbilden inför nästa år.",
        "Kampanjen ska nå alla elever i årskurs 9.",
        "Trygghetsvandringen ska genomföras i maj.",
    ],
)
def test_a_noun_for_something_done_is_not_who_does_it(sentence: str) -> None:
    promise = parse(f"Trygghet\n\n{sentence}\n")
    assert [activity.parties for activity in promise.activities] == [[]]


def test_a_company_named_as_the_doer_is_still_a_party() -> None:
    promise = parse("Trygghet\n\n- Ekbybostäder ska laga belysningen på gården varje höst.\n")
    assert [activity.parties for activity in promise.activities] == [["Ekbybostäder"]]


@pytest.mark.parametrize(
    ("item", "place"),
    [
        ("Kommunen ska starta fyra grannsamverkansområden i Ekby kommun.", None),
        ("Kommunen ska starta fyra grannsamverkansområden i Ekbys kommun.", None),
        ("Polisen ska hålla fyra möten i Läggesta.", "Läggesta"),
    ],
)
def test_the_kommun_itself_is_no_place_within_it(item: str, place: str | None) -> None:
    promise = parse(f"Trygghet\n\n- {item}\n")
    assert [activity.place for activity in promise.activities] == [place]
