import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from PIL import Image

BEFORE = ("municipalities", "0002_profile_contact_map_centre_and_reencoded_logo")
AFTER = ("municipalities", "0003_genitives_filled_and_logos_reencoded")


def _migrate(target: tuple[str, str]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 12), (200, 10, 10)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def migrated_back_afterwards() -> Iterator[None]:
    """Going back to BEFORE also unapplies every later migration that depends on it (the invitations' table among
    them); the whole schema is migrated forward again afterwards, or later tests in this process find tables gone."""
    yield
    call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back_afterwards")
def test_existing_logos_become_fresh_pngs_and_non_images_are_no_longer_served(
    settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    logos = Path(settings.MEDIA_ROOT) / "logos"
    logos.mkdir(parents=True)
    (logos / "ljungby.jpg").write_bytes(_jpeg())
    (logos / "evil.html").write_bytes(b"<html><script>alert(1)</script></html>")
    (logos / "old-upload.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    apps = _migrate(BEFORE)
    Municipality = apps.get_model("municipalities", "Municipality")
    good = Municipality.objects.create(
        name="Ljungby kommun",
        slug="ljungby",
        scb_code="0781",
        county="Kronobergs län",
        logo="logos/ljungby.jpg",
    )
    bad = Municipality.objects.create(
        name="Växjö kommun", slug="vaxjo", scb_code="0780", county="Kronobergs län", logo="logos/evil.html"
    )
    gone = Municipality.objects.create(
        name="Vännäs kommun",
        slug="vannas",
        scb_code="2460",
        county="Västerbottens län",
        logo="logos/borta.png",
    )

    apps = _migrate(AFTER)

    Municipality = apps.get_model("municipalities", "Municipality")
    good, bad, gone = (Municipality.objects.get(pk=row.pk) for row in (good, bad, gone))
    assert good.logo.name.startswith("logos/") and good.logo.name.endswith(".png")
    assert (Path(settings.MEDIA_ROOT) / good.logo.name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert bad.logo.name == "" and gone.logo.name == ""
    assert sorted(path.name for path in logos.iterdir()) == [Path(good.logo.name).name]
    assert (good.name_genitive, bad.name_genitive, gone.name_genitive) == (
        "Ljungby kommuns",
        "Växjö kommuns",
        "Vännäs kommuns",
    )


@pytest.mark.django_db
def test_after_the_logo_migration_test_every_table_is_back() -> None:
    # Runs after the test above in the same process: the invitations' table, whose migration depends on the
    # logo migration, exists again.
    assert "accounts_invitation" in connection.introspection.table_names()
