from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    """Page numbers with an upper bound: an absurd page would otherwise overflow the database's OFFSET."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=100)
