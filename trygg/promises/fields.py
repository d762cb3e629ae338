"""The fields of a promise, its signatories, focus areas and activities that the services in `services.py` write.

Kept apart from the services so that the admin (imported at every start by the admin's autodiscovery) can name
them without importing the services and everything they import.
"""

PROMISE_FIELDS = (
    "title",
    "slug",
    "valid_from",
    "valid_until",
    "introduction",
    "background",
    "source_note",
    "source_url",
)
SIGNATORY_FIELDS = ("name", "role", "party", "signed_on")
FOCUS_AREA_FIELDS = ("title", "description", "evidence_note", "problems")
ACTIVITY_FIELDS = (
    "focus_area",
    "text",
    "responsible_parties",
    "partners",
    "other_partners",
    "quantity",
    "quantity_max",
    "at_least",
    "unit",
    "per",
    "target_group",
    "place",
    "area",
    "start_date",
    "end_date",
)
ACTIVITY_RELATIONS = ("responsible_parties", "partners")
