import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from trygg.core.privacy import personal_data_erase, personal_data_export, personal_data_purge, registry


class FakeSource:
    name = "fake"

    def __init__(self) -> None:
        self.held = {"anna@example.se": [{"name": "Anna", "text": "Lampan är trasig"}]}
        self.purged_at: dt.datetime | None = None

    def export(self, *, email: str, municipality: Any = None) -> list[dict[str, Any]]:
        return self.held.get(email, [])

    def erase(self, *, email: str, municipality: Any = None, by: Any = None) -> int:
        return len(self.held.pop(email, []))

    def purge(self, *, now: dt.datetime) -> int:
        self.purged_at = now
        return 0


@pytest.fixture
def fake_source():
    source = FakeSource()
    registry.register(source)
    yield source
    registry.sources.pop(source.name)


@pytest.mark.django_db
def test_an_export_asks_every_source_with_the_normalised_address(fake_source: FakeSource) -> None:
    assert personal_data_export(email=" Anna@Example.se ")["fake"] == [
        {"name": "Anna", "text": "Lampan är trasig"}
    ]


@pytest.mark.django_db
def test_erasure_removes_what_the_sources_hold(fake_source: FakeSource) -> None:
    assert personal_data_erase(email="anna@example.se")["fake"] == 1
    assert personal_data_export(email="anna@example.se")["fake"] == []


@pytest.mark.django_db
def test_the_purge_reaches_every_source(fake_source: FakeSource) -> None:
    now = timezone.now()

    personal_data_purge(now=now)

    assert fake_source.purged_at == now


@pytest.mark.django_db
def test_the_commands_run(fake_source: FakeSource, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("personal_data", "export", "--email", "anna@example.se")
    assert "Lampan är trasig" in capsys.readouterr().out
    call_command("purge_personal_data")
    assert "fake: 0" in capsys.readouterr().out
