"""Evidence from apps that may not be there: the survey and the residents' reports.

Neither app is imported when this module loads. Each lookup first asks whether the app is installed and has its
data model, then imports its selectors module and looks for one function. Anything missing means "källa saknas".

The interfaces this module expects (documented in docs/lagesbild.md):

``trygg.surveys.selectors.survey_problem_indices(*, municipality, year)``
    → a mapping from problem slug to an object or dict with ``index`` (float, 0 = no problem … 6 = alarming),
    ``year`` (int) and optionally ``previous`` (float) and ``previous_year`` (int), ``date`` (date) and
    ``example_data`` (bool); an empty mapping or None when the municipality has no survey for the year.

``trygg.reports.selectors.report_counts_per_problem(*, municipality, year)``
    → a mapping from problem slug to the number of residents' reports received that year (problems without
    reports may be left out), or None when the municipality does not take reports.
"""

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from trygg.municipalities.models import Municipality

from .ranking import SurveyEvidence

logger = logging.getLogger(__name__)


def _selector(app_label: str, model_name: str, function: str) -> Callable[..., Any] | None:
    if not apps.is_installed(f"trygg.{app_label}"):
        return None
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return None
    try:
        module = importlib.import_module(f"trygg.{app_label}.selectors")
    except ImportError:
        return None
    found = getattr(module, function, None)
    return found if callable(found) else None


def _field(value: Any, name: str, default: Any = None) -> Any:
    if isinstance(value, Mapping):
        return value.get(name, default)
    return getattr(value, name, default)


@dataclass(frozen=True)
class SurveyResult:
    available: bool
    note: str
    indices: dict[str, SurveyEvidence]
    date: dt.date | None = None
    example_data: bool = False


def survey_indices(*, municipality: Municipality, year: int) -> SurveyResult:
    selector = _selector("surveys", "Survey", "survey_problem_indices")
    if selector is None:
        return SurveyResult(False, _("trygghetsmätningen finns inte i Trygg ännu"), {})
    try:
        result = selector(municipality=municipality, year=year)
    except Exception:  # A broken source must not take the lägesbild down; it shows as missing instead.
        logger.exception("survey_problem_indices failed")
        return SurveyResult(False, _("trygghetsmätningen kunde inte läsas"), {})
    if not result:
        return SurveyResult(False, _("ingen trygghetsmätning för %(year)s") % {"year": year}, {})
    indices = {
        slug: SurveyEvidence(
            index=float(_field(value, "index")),
            year=int(_field(value, "year", year)),
            previous=None if _field(value, "previous") is None else float(_field(value, "previous")),
            previous_year=_field(value, "previous_year"),
        )
        for slug, value in result.items()
        if _field(value, "index") is not None
    }
    dates = [_field(value, "date") for value in result.values() if _field(value, "date")]
    example = any(bool(_field(value, "example_data", False)) for value in result.values())
    return SurveyResult(True, "", indices, max(dates) if dates else None, example)


@dataclass(frozen=True)
class ReportsResult:
    available: bool
    note: str
    counts: dict[str, int]


def report_counts(*, municipality: Municipality, year: int) -> ReportsResult:
    selector = _selector("reports", "Report", "report_counts_per_problem")
    if selector is None:
        return ReportsResult(False, _("felanmälningar finns inte i Trygg ännu"), {})
    try:
        result = selector(municipality=municipality, year=year)
    except Exception:  # As above: shown as missing, logged for the maintainers.
        logger.exception("report_counts_per_problem failed")
        return ReportsResult(False, _("felanmälningarna kunde inte läsas"), {})
    if result is None:
        return ReportsResult(False, _("kommunen tar inte emot felanmälningar i Trygg"), {})
    return ReportsResult(
        True,
        _("gjorda av invånare i Trygg under %(year)s") % {"year": year},
        {slug: int(count) for slug, count in result.items()},
    )
