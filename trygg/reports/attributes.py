"""The extra questions a report category asks (Open311 "attributes" of a service definition).

Today there is one: whether graffiti is offensive (racist, sexist …), which shortens the promised response time of
a category that has such a time. Every channel files through `services.report_submit`, which checks the answers
here; the Open311 service definition and the web form are built from the same list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ReportCategory

OFFENSIVE = "offensive"
_TRUE = {"true", "1", "ja", "yes", "on"}
_FALSE = {"false", "0", "nej", "no", "off", ""}


@dataclass(frozen=True)
class AttributeValue:
    key: str
    name: str


@dataclass(frozen=True)
class CategoryAttribute:
    code: str
    datatype: str  # Open311: string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    description: str
    datatype_description: str
    order: int
    values: tuple[AttributeValue, ...] = ()


def category_attributes(category: ReportCategory) -> list[CategoryAttribute]:
    if not category.offensive_response_hours:
        return []
    return [
        CategoryAttribute(
            code=OFFENSIVE,
            datatype="singlevaluelist",
            required=False,
            description=_("Är klottret kränkande, t.ex. rasistiskt eller sexistiskt?"),
            datatype_description=_("Kränkande klotter tas bort inom %(hours)d timmar.")
            % {"hours": category.offensive_response_hours},
            order=1,
            values=(
                AttributeValue("false", _("Nej")),
                AttributeValue("true", _("Ja, kränkande")),
            ),
        )
    ]


@dataclass(frozen=True)
class Answers:
    offensive: bool = False


def attributes_clean(*, category: ReportCategory, given: Mapping[str, str]) -> Answers:
    """The answers to the category's questions. Attributes the category does not ask are ignored (a client may
    send what another server asked for); a value outside a list is refused."""
    offensive = False
    for attribute in category_attributes(category):
        value = given.get(attribute.code, "").strip().lower()
        if attribute.code == OFFENSIVE:
            if value in _TRUE:
                offensive = True
            elif value not in _FALSE:
                raise ValidationError(
                    {
                        "attributes": _("attribute[%(code)s] ska vara ”true” eller ”false”.")
                        % {"code": attribute.code}
                    }
                )
    return Answers(offensive=offensive)
