import datetime as dt

from ninja import Schema


class MunicipalityOut(Schema):
    slug: str
    name: str
    scb_code: str
    county: str
    population: int | None


class PartyOut(Schema):
    name: str
    kind: str


class SignatoryOut(Schema):
    name: str
    role: str
    party: str | None


class PromiseSummaryOut(Schema):
    slug: str
    title: str
    status: str
    valid_from: dt.date
    valid_until: dt.date
    published_on: dt.date | None
    url: str


class ActivityOut(Schema):
    id: int
    text: str
    responsible_parties: list[PartyOut]
    partners: list[PartyOut]
    quantity: int | None
    quantity_max: int | None
    at_least: bool
    unit: str
    per: str | None
    commitment: str
    target_group: str
    place: str
    area: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    url: str


class FocusAreaOut(Schema):
    slug: str
    title: str
    description: str
    problems: list[str]
    activities: list[ActivityOut]
    url: str


class PromiseOut(PromiseSummaryOut):
    municipality: MunicipalityOut
    introduction: str
    source_note: str
    signatories: list[SignatoryOut]
    focus_areas: list[FocusAreaOut]
