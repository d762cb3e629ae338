"""Issue 19, item 7: on English pages Trygg's own category names are translated; a name staff wrote stays."""

import pytest
from django.test import Client
from django.utils import translation

from trygg.municipalities.models import Municipality
from trygg.reports.models import Report, ReportCategory

pytestmark = pytest.mark.django_db


def test_a_category_trygg_named_is_shown_in_the_visitors_language_and_a_staff_name_as_written(
    reports_demo: Municipality,
) -> None:
    graffiti = ReportCategory.objects.get(municipality=reports_demo, slug="klotter")
    renamed = ReportCategory.objects.get(municipality=reports_demo, slug="belysning")
    renamed.name = "Gatlampor"
    renamed.save()

    with translation.override("en"):
        assert (graffiti.display_name, renamed.display_name) == ("Graffiti", "Gatlampor")
    with translation.override("sv"):
        assert graffiti.display_name == "Klotter"


def test_the_english_report_list_names_the_categories_in_english(
    client: Client, reports_demo: Municipality
) -> None:
    shown = Report.objects.filter(municipality=reports_demo, category__slug="klotter").exists()
    assert shown

    page = client.get("/en/ljungby/felanmalan/karta/").content.decode()

    assert "<td>Graffiti</td>" in page
    assert "<td>Klotter</td>" not in page
