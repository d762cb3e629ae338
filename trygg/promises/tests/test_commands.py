import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity, FocusArea, Promise

REPO = Path(__file__).resolve().parents[3]
SEEDS = REPO.parent / "shared" / "seeds"
SEED = SEEDS / "000_c1297d98e49f98ef.txt"
CORPUS = Path(__file__).resolve().parent / "corpus"
NO_ACTIVITIES = "Välkommen till vår webbplats.\n\nHär finns information om kommunen.\n"


def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip(f"the shared seed folder is absent ({SEEDS})")
    return SEED


def run_trygg(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=120,
        check=False,
    )


# --- parse_promise ----------------------------------------------------------------------------------


def test_parse_promise_json_on_the_seed_prints_the_parsers_structure() -> None:
    out = io.StringIO()

    call_command("parse_promise", str(seed_path()), "--json", stdout=out)

    result = json.loads(out.getvalue())
    assert result["municipality"] == "Ljungby kommun"
    assert result["period"] == {"start": "2023-01-01", "end": "2023-12-31"}
    assert len(result["focus_areas"]) == 7
    assert sum(len(area["activities"]) for area in result["focus_areas"]) == 19
    assert "å" in out.getvalue()  # not escaped: ensure_ascii is off


def test_parse_promise_without_json_prints_a_swedish_summary_with_findings() -> None:
    out = io.StringIO()

    call_command("parse_promise", str(seed_path()), stdout=out)

    summary = out.getvalue()
    assert "7 fokusområden, 19 aktiviteter" in summary
    assert "Polisen ska fotpatrullera på handelsplatsen." in summary
    assert "Inget antal: det går inte att följa upp" in summary
    assert "Lovat: 4 mätningar per år" in summary


def test_parse_promise_reads_standard_input_and_exits_zero() -> None:
    text = (CORPUS / "01_ekdala_rubriker.txt").read_text(encoding="utf-8")

    finished = run_trygg("parse_promise", "-", "--json", stdin=text)

    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["focus_areas"]


def test_parse_promise_reads_standard_input_through_call_command(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (CORPUS / "01_ekdala_rubriker.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text), encoding="utf-8"))
    out = io.StringIO()

    call_command("parse_promise", "-", "--json", stdout=out)

    assert json.loads(out.getvalue())["focus_areas"]


def test_parse_promise_names_the_file_and_the_reason_when_it_cannot_be_read(tmp_path: Path) -> None:
    broken = tmp_path / "lofte.pdf"
    broken.write_bytes(b"this is not a pdf")

    finished = run_trygg("parse_promise", str(broken))

    assert finished.returncode != 0
    assert finished.stdout == ""
    assert "lofte.pdf" in finished.stderr
    assert "PDF-filen kunde inte läsas" in finished.stderr


def test_parse_promise_refuses_a_missing_file_and_an_unknown_suffix(tmp_path: Path) -> None:
    odd = tmp_path / "lofte.odt"
    odd.write_bytes(b"x")

    with pytest.raises(CommandError, match="filen finns inte"):
        call_command("parse_promise", str(tmp_path / "saknas.txt"))
    with pytest.raises(CommandError, match=r"lofte\.odt: Filtypen \.odt stöds inte"):
        call_command("parse_promise", str(odd))


def test_parse_promise_exits_non_zero_when_no_activities_are_found() -> None:
    finished = run_trygg("parse_promise", "-", "--json", stdin=NO_ACTIVITIES)

    assert finished.returncode == 1
    assert finished.stdout == ""
    assert "stdin: inga aktiviteter hittades" in finished.stderr


# --- import_promise ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_promise_creates_a_draft_from_the_seed(home_municipality: Municipality) -> None:
    out = io.StringIO()

    call_command(
        "import_promise", str(seed_path()), "--municipality", "ljungby", "--slug", "2023-fil", stdout=out
    )

    promise = Promise.objects.get(municipality=home_municipality, slug="2023-fil")
    assert promise.status == Promise.Status.DRAFT
    assert promise.focus_areas.count() == 7
    assert Activity.objects.filter(focus_area__promise=promise).count() == 19
    assert "7 fokusområden, 19 aktiviteter" in out.getvalue()
    entry = AuditEntry.objects.get(model="promises.promise", object_id=str(promise.pk))
    assert entry.actor is None
    assert entry.reason == "Importerad från fil 000_c1297d98e49f98ef.txt"


@pytest.mark.django_db
def test_import_promise_refuses_to_overwrite_the_published_promise(home_municipality: Municipality) -> None:
    published = Promise.objects.get(municipality=home_municipality, slug="2023")
    activities_before = Activity.objects.filter(focus_area__promise=published).count()
    promises_before = Promise.objects.filter(municipality=home_municipality).count()

    with pytest.raises(CommandError, match="skrivs aldrig över"):
        call_command("import_promise", str(seed_path()), "--municipality", "ljungby")

    published.refresh_from_db()
    assert published.status == Promise.Status.PUBLISHED
    assert Activity.objects.filter(focus_area__promise=published).count() == activities_before
    assert Promise.objects.filter(municipality=home_municipality).count() == promises_before


@pytest.mark.django_db
def test_import_promise_replaces_an_existing_draft_only_when_asked(home_municipality: Municipality) -> None:
    arguments = [str(seed_path()), "--municipality", "ljungby", "--slug", "utkast"]
    call_command("import_promise", *arguments, stdout=io.StringIO())
    first = Promise.objects.get(slug="utkast")

    with pytest.raises(CommandError, match="Det finns redan ett utkast"):
        call_command("import_promise", *arguments, stdout=io.StringIO())
    call_command(
        "import_promise", *arguments, "--replace-draft", "--title", "Nytt utkast", stdout=io.StringIO()
    )

    second = Promise.objects.get(slug="utkast")
    assert second.pk != first.pk
    assert second.title == "Nytt utkast"
    assert FocusArea.objects.filter(promise__slug="utkast").count() == 7
    assert AuditEntry.objects.filter(
        model="promises.promise", object_id=str(first.pk), action="delete"
    ).exists()


@pytest.mark.django_db
def test_import_promise_needs_a_period_when_the_text_has_none(
    home_municipality: Municipality, tmp_path: Path
) -> None:
    text = tmp_path / "lofte.txt"
    text.write_text(
        "# Trygg skolväg\n\n- Kommunen ska genomföra 3 trygghetsvandringar.\n- Polisen ska besöka skolan 2 gånger.\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="Ange --from och --until"):
        call_command("import_promise", str(text), "--municipality", "ljungby")
    call_command(
        "import_promise",
        str(text),
        "--municipality",
        "ljungby",
        "--from",
        "2025-01-01",
        "--until",
        "2026-12-31",
        stdout=io.StringIO(),
    )

    promise = Promise.objects.get(slug="2025-2026")
    assert promise.title == "Medborgarlöfte 2025–2026 i Ljungby kommun"
    assert promise.focus_areas.get().activities.count() == 2


@pytest.mark.django_db
def test_import_promise_refuses_an_unknown_municipality_and_a_file_without_activities(
    home_municipality: Municipality, tmp_path: Path
) -> None:
    empty = tmp_path / "tom.txt"
    empty.write_text(NO_ACTIVITIES, encoding="utf-8")
    promises_before = Promise.objects.count()

    with pytest.raises(CommandError, match="ingen kommun med adressen ”nowhere”"):
        call_command("import_promise", str(empty), "--municipality", "nowhere")
    with pytest.raises(CommandError, match=r"tom\.txt: inga aktiviteter hittades"):
        call_command("import_promise", str(empty), "--municipality", "ljungby")
    assert Promise.objects.count() == promises_before


# --- import_promise on a folder -------------------------------------------------------------------------------


def table_rows(output: str) -> dict[str, str]:
    return {line.split()[0]: line for line in output.splitlines() if line.split() and "." in line.split()[0]}


@pytest.mark.django_db
def test_import_promise_reads_a_folder_into_drafts_and_prints_one_table(
    home_municipality: Municipality, tmp_path: Path
) -> None:
    (tmp_path / "a_ljungby.txt").write_text(
        "Medborgarlöfte 2025 för Ljungby kommun\n\nTrafik\n\n- Polisen ska göra 4 kontroller per år.\n"
        "- Ljungby kommun ska bygga farthinder.\n",
        encoding="utf-8",
    )
    (tmp_path / "b_ljungby.html").write_text(
        "<h1>Ljungby kommun – medborgarlöfte 2026</h1><h2>Narkotika</h2><ul><li>Polisen ska söka med hund "
        "minst fyra gånger per termin.</li></ul>",
        encoding="utf-8",
    )
    (tmp_path / "c_trasig.pdf").write_bytes(b"%PDF-1.4 not really")
    (tmp_path / "d_annanstans.txt").write_text(
        "Medborgarlöfte 2025 för Borta kommun\n\n- Polisen ska hålla 2 möten.\n", encoding="utf-8"
    )
    (tmp_path / "e_bild.png").write_bytes(b"\x89PNG")
    out = io.StringIO()

    with pytest.raises(CommandError, match="2 av 4 filer kunde inte läsas in"):
        call_command("import_promise", str(tmp_path), stdout=out)

    output = out.getvalue()
    header = output.splitlines()[0].split()
    assert header[:7] == ["Fil", "Kommun", "Period", "Fokusområden", "Aktiviteter", "Anmärkningar", "Lägsta"]
    rows = table_rows(output)
    assert set(rows) == {"a_ljungby.txt", "b_ljungby.html", "c_trasig.pdf", "d_annanstans.txt"}
    assert "2025-01-01–2025-12-31" in rows["a_ljungby.txt"] and "utkast 2025" in rows["a_ljungby.txt"]
    assert "Ljungby kommun" in rows["b_ljungby.html"] and "utkast 2026" in rows["b_ljungby.html"]
    assert "PDF-filen kunde inte läsas" in rows["c_trasig.pdf"]
    assert "Ange --municipality" in rows["d_annanstans.txt"]
    assert " %" in rows["a_ljungby.txt"]  # the lowest confidence
    drafts = Promise.objects.filter(municipality=home_municipality, status=Promise.Status.DRAFT)
    assert sorted(drafts.values_list("slug", flat=True)) == ["2025", "2026"]
    assert not Promise.objects.filter(slug__in=["2025", "2026"]).exclude(status=Promise.Status.DRAFT).exists()


@pytest.mark.django_db
def test_import_promise_on_the_corpus_folder_saves_every_document_as_a_draft_for_one_municipality(
    home_municipality: Municipality,
) -> None:
    out = io.StringIO()
    published_before = Promise.objects.filter(municipality=home_municipality).exclude(status="draft").count()

    # The two undated documents need --from and --until; the others become drafts.
    with pytest.raises(CommandError, match=r"2 av \d+ filer kunde inte läsas in"):
        call_command("import_promise", str(CORPUS), "--municipality", "ljungby", stdout=out)

    rows = table_rows(out.getvalue())
    documents = [path for path in CORPUS.iterdir() if not path.name.endswith(".json") and path.is_file()]
    assert len(rows) == len(documents)
    saved = [row for row in rows.values() if re.search(r"\sutkast \S+$", row)]
    drafts = Promise.objects.filter(municipality=home_municipality, status="draft")
    assert len(saved) == drafts.count() == len(documents) - 2
    # Files for the same years get the file's name in their address rather than being refused.
    assert "utkast 2024-04-asen-police-only" in rows["04_asen_police_only.txt"]
    assert (
        Promise.objects.filter(municipality=home_municipality).exclude(status="draft").count()
        == published_before
    )


def test_import_promise_refuses_slug_and_title_for_a_folder(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="gäller en fil, inte en mapp"):
        call_command("import_promise", str(tmp_path), "--slug", "x")
