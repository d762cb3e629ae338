import datetime as dt
from decimal import Decimal

import html5lib
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from trygg.followup.models import Execution
from trygg.indicators import services
from trygg.indicators.disclosure import drug_tests_public
from trygg.indicators.importing import measurements_parse
from trygg.indicators.models import Indicator, Measurement

pytestmark = pytest.mark.django_db
TODAY = dt.date(2023, 12, 31)
SUBSTANCES = frozenset(Measurement.Substance.values)


@pytest.fixture
def drug_tests(home_municipality) -> Indicator:
    return Indicator.objects.create(
        municipality=home_municipality,
        name="Drogtester",
        slug="drogtester",
        kind=Indicator.Kind.SCHOOL_DRUG_TESTS,
    )


def test_each_sampling_occasion_counts_once_however_many_substances(
    wastewater, coordinator, wastewater_activity
):
    day = dt.date(2023, 3, 14)
    for substance, value in (("amfetamin", "21.4"), ("kokain", "9.8"), ("cannabis", "31")):
        services.measurement_record(
            indicator=wastewater,
            by=coordinator,
            sampled_on=day,
            today=TODAY,
            substance=substance,
            value=Decimal(value),
        )
    services.measurements_count(indicator=wastewater, by=coordinator, today=TODAY)

    executions = Execution.objects.filter(activity=wastewater_activity)
    assert executions.count() == 1
    assert executions.get().link_note == "Narkotika i avloppsvattnet 2023-03-14"


def test_staff_of_another_party_may_not_record_a_measurement(wastewater, police_officer):
    with pytest.raises(PermissionDenied):
        services.measurement_record(
            indicator=wastewater,
            by=police_officer,
            sampled_on=dt.date(2023, 3, 14),
            today=TODAY,
            substance="kokain",
            value=Decimal(1),
        )
    assert Measurement.objects.count() == 0


def test_fewer_than_five_positives_are_suppressed_and_negatives_never_shown():
    assert drug_tests_public(tested=40, positive=3).positive is None
    assert drug_tests_public(tested=40, positive=3).suppressed
    assert drug_tests_public(tested=40, positive=0).suppressed
    assert drug_tests_public(tested=40, positive=5).positive == 5


def test_the_public_drug_test_page_and_csv_show_faerre_aen_5_and_no_derivable_count(
    client, drug_tests, coordinator
):
    services.measurement_record(
        indicator=drug_tests,
        by=coordinator,
        sampled_on=dt.date(2023, 3, 1),
        today=TODAY,
        tested=40,
        positive=3,
    )
    services.measurement_record(
        indicator=drug_tests,
        by=coordinator,
        sampled_on=dt.date(2023, 9, 1),
        today=TODAY,
        tested=52,
        positive=6,
    )

    response = client.get(drug_tests.get_absolute_url())
    page = response.content.decode()
    assert "färre än 5" in page
    assert ">3<" not in page and "37" not in page
    assert ">6<" in page
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(response.content)
    exported = client.get(reverse("indicators:csv", args=["ljungby", "drogtester"])).content.decode()
    assert "2023-03-01,40,färre än 5" in exported
    assert ",3," not in exported and "37" not in exported
    chart = client.get(reverse("indicators:chart", args=["ljungby", "drogtester"])).content.decode()
    assert "färre än 5" in chart


def test_the_wastewater_page_has_chart_table_and_caveats(client, wastewater, coordinator):
    services.measurement_record(
        indicator=wastewater,
        by=coordinator,
        sampled_on=dt.date(2023, 3, 14),
        today=TODAY,
        substance="kokain",
        value=Decimal("9.8"),
    )

    page = client.get(wastewater.get_absolute_url()).content.decode()

    assert "ingenting om hur många som använder droger" in page
    assert 'src="/ljungby/matningar/avloppsvatten/diagram.svg"' in page
    assert "<caption" in page and ">9,8<" in page
    assert (
        client.get(reverse("indicators:chart", args=["ljungby", "avloppsvatten"]))["Content-Type"]
        == "image/svg+xml"
    )


def test_the_csv_export_has_a_variant_for_swedish_excel_and_neutralises_formulas(
    client, wastewater, coordinator
):
    services.measurement_record(
        indicator=wastewater,
        by=coordinator,
        sampled_on=dt.date(2023, 3, 14),
        today=TODAY,
        substance="kokain",
        value=Decimal("9.8"),
        lab="=cmd|' /C calc'!A0",
        note="-2+3",
    )
    url = reverse("indicators:csv", args=["ljungby", "avloppsvatten"])

    plain = client.get(url).content.decode()
    excel = client.get(url + "?excel=1")
    excel_text = excel.content.decode("utf-8")

    assert "2023-03-14,kokain,9.8,mg per 1000 invånare och dygn,'=cmd|' /C calc'!A0,'-2+3,0" in plain
    assert excel_text.startswith("\ufeffprovdatum;amne;varde;")
    assert "2023-03-14;kokain;9,8;mg per 1000 invånare och dygn;'=cmd|' /C calc'!A0;'-2+3;0" in excel_text
    assert excel["Content-Type"] == "text/csv; charset=utf-8"
    assert "excel" in excel["Content-Disposition"]


def test_a_csv_line_with_an_error_is_named_by_line_and_column():
    _rows, errors = measurements_parse(
        "provdatum,amne,varde\n2023-03-14,kokain,9.8\n2023-13-01,heroin,x\n",
        kind="wastewater",
        substances=SUBSTANCES,
    )

    messages = [str(error) for error in errors]
    assert any(message.startswith("rad 3, kolumn provdatum") for message in messages)
    assert any(message.startswith("rad 3, kolumn amne") for message in messages)
    assert any(message.startswith("rad 3, kolumn varde") for message in messages)


def test_the_import_command_imports_nothing_from_a_file_with_errors(wastewater, tmp_path):
    path = tmp_path / "matningar.csv"
    path.write_text("provdatum;amne;varde\n2023-03-14;kokain;9,8\n2023-06-13;kokain;\n", encoding="utf-8")

    with pytest.raises(CommandError) as failure:
        call_command("import_measurements", str(path), "--indicator", str(wastewater.pk))

    assert "rad 3, kolumn varde" in str(failure.value)
    assert Measurement.objects.count() == 0


def test_the_import_command_counts_each_new_sampling_occasion_once(
    wastewater, coordinator, wastewater_activity, tmp_path
):
    path = tmp_path / "matningar.csv"
    path.write_text(
        "provdatum,amne,varde,laboratorium\n2023-03-14,kokain,9.8,Lab\n2023-03-14,amfetamin,21.4,Lab\n"
        "2023-06-13,kokain,12.1,Lab\n",
        encoding="utf-8",
    )

    call_command(
        "import_measurements", str(path), "--indicator", str(wastewater.pk), "--by", coordinator.username
    )

    assert Measurement.objects.count() == 3
    assert Execution.objects.filter(activity=wastewater_activity).count() == 2
    with pytest.raises(CommandError):
        call_command(
            "import_measurements", str(path), "--indicator", str(wastewater.pk), "--by", coordinator.username
        )
    assert Execution.objects.filter(activity=wastewater_activity).count() == 2


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig"])
def test_the_import_command_reads_a_file_as_excel_or_notepad_saved_it(wastewater, tmp_path, encoding):
    # Swedish Excel's "CSV (semikolonavgränsad)" is Windows-1252, its "Unicode text" UTF-16 with tabs.
    separator = "\t" if encoding == "utf-16" else ";"
    text = separator.join(["provdatum", "ämne", "värde", "laboratorium"]) + "\n"
    text += separator.join(["2023-03-14", "kokain", "9,8", "Länslab Växjö"]) + "\n"
    path = tmp_path / "matningar.csv"
    path.write_bytes(text.encode(encoding))

    call_command("import_measurements", str(path), "--indicator", str(wastewater.pk))

    assert [(m.value, m.lab) for m in Measurement.objects.all()] == [(Decimal("9.8"), "Länslab Växjö")]


def test_the_staff_page_of_another_municipality_is_not_found_and_others_get_403(
    login, outsider, police_officer, wastewater
):
    url = reverse("indicators:staff_detail", args=[wastewater.pk])
    assert login(outsider).get(url).status_code == 404
    response = login(police_officer).post(
        url, {"sampled_on": "2023-03-14", "substance": "kokain", "value": "3"}
    )
    assert response.status_code == 403
    assert Measurement.objects.count() == 0


def test_issue_20_every_pupil_positive_is_hidden_below_twice_the_smallest_count_with_the_number_tested() -> (
    None
):
    hidden = drug_tests_public(tested=7, positive=7)
    assert hidden.suppressed and hidden.all_alike
    assert hidden.tested is None and hidden.positive is None
    shown = drug_tests_public(tested=10, positive=10)
    assert not shown.suppressed and shown.positive == 10
    assert drug_tests_public(tested=9, positive=6).positive == 6
