import io
from pathlib import Path
from typing import Any

import html5lib
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from PIL import Image, PngImagePlugin

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality, PoliceArea
from trygg.municipalities.tests.factories import PoliceAreaFactory

pytestmark = pytest.mark.django_db

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/admin/')</script><rect width='10' height='10'/></svg>"
)
HTML = b"<!doctype html><html><body><script>document.cookie</script></body></html>"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _png(*, size: tuple[int, int] = (40, 20), with_text: str = "") -> bytes:
    image = Image.new("RGBA", size, (0, 90, 140, 128))
    info = PngImagePlugin.PngInfo()
    if with_text:
        info.add_text("Comment", with_text)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _form(municipality: Municipality, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": municipality.name,
        "name_genitive": municipality.genitive,
        "contact_email": "",
        "contact_phone": "",
        "contact_address": "",
        "website": "",
        "accent_colour": municipality.accent_colour,
        "map_latitude": "",
        "map_longitude": "",
        "police_areas": [area.pk for area in municipality.police_areas.all()],
    }
    data.update(changes)
    return data


def _url(municipality: Municipality) -> str:
    return reverse("municipalities:profile", args=[municipality.slug])


def test_a_coordinator_sets_the_name_genitive_and_contact_details_shown_on_every_public_page(
    login: Any, coordinator: User, home_municipality: Municipality, client: Client
) -> None:
    response = login(coordinator).post(
        _url(home_municipality),
        _form(
            home_municipality,
            name="Ljungby kommun",
            name_genitive="Ljungby kommuns",
            contact_email="trygghet@ljungby.example.se",
            contact_phone="0372-78 90 00",
            contact_address="Box 1, 341 00 Ljungby",
            website="https://www.ljungby.se",
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    home_municipality.refresh_from_db()
    assert home_municipality.contact_email == "trygghet@ljungby.example.se"
    assert AuditEntry.objects.filter(model="municipalities.municipality", actor=coordinator).exists()
    client.logout()
    for url in (
        reverse("promises:municipality", args=["ljungby"]),
        reverse("promises:detail", args=["ljungby", "2023"]),
        reverse("reports:create", args=["ljungby"]),
    ):
        page = Client().get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert 'href="mailto:trygghet@ljungby.example.se"' in text, url
        assert 'href="tel:0372789000"' in text, url
        assert "Box 1, 341 00 Ljungby" in text
        assert "Ljungby kommuns webbplats" in text
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.content)


def test_pages_of_other_municipalities_do_not_show_these_contact_details(
    login: Any, coordinator: User, home_municipality: Municipality, outsider: User
) -> None:
    Municipality.objects.filter(pk=home_municipality.pk).update(contact_email="trygghet@ljungby.example.se")

    page = Client().get(reverse("promises:home")).content.decode()

    assert "trygghet@ljungby.example.se" not in page


def test_the_form_offers_only_the_police_areas_that_cover_the_municipality_or_no_one(
    login: Any, coordinator: User, home_municipality: Municipality, outsider: User
) -> None:
    other = Municipality.objects.get(slug="annanstad")
    theirs = PoliceAreaFactory.create(name="Lokalpolisområde Annanstad")
    other.police_areas.add(theirs)
    free = PoliceAreaFactory.create(name="Lokalpolisområde Ny")
    ours = home_municipality.police_areas.get()
    client = login(coordinator)

    page = client.get(_url(home_municipality)).content.decode()

    assert ours.name in page
    assert free.name in page
    assert theirs.name not in page
    refused = client.post(
        _url(home_municipality), _form(home_municipality, police_areas=[ours.pk, theirs.pk])
    )
    assert refused.status_code == 400
    assert set(home_municipality.police_areas.all()) == {ours}
    assert not AuditEntry.objects.filter(model="municipalities.municipality").exists()


def test_the_service_refuses_another_municipalitys_police_area_whatever_the_form_offered(
    coordinator: User, home_municipality: Municipality, outsider: User
) -> None:
    from trygg.municipalities.services import municipality_profile_update

    theirs = PoliceAreaFactory.create(name="Lokalpolisområde Annanstad")
    Municipality.objects.get(slug="annanstad").police_areas.add(theirs)

    with pytest.raises(ValidationError) as raised:
        municipality_profile_update(
            municipality=home_municipality,
            by=coordinator,
            name=home_municipality.name,
            name_genitive="Ljungby kommuns",
            contact_email="",
            contact_phone="",
            contact_address="",
            website="",
            map_latitude=None,
            map_longitude=None,
            accent_colour="#005a8c",
            police_areas=[theirs],
        )

    assert "police_areas" in raised.value.message_dict
    assert theirs not in home_municipality.police_areas.all()


def test_a_raster_logo_is_stored_as_a_fresh_png_under_a_name_trygg_chose(
    login: Any, coordinator: User, home_municipality: Municipality, _media: Path
) -> None:
    upload = SimpleUploadedFile("../../evil name.php.png", _png(with_text="secret note"), "image/png")

    response = login(coordinator).post(_url(home_municipality), {**_form(home_municipality), "logo": upload})

    assert response.status_code == 302
    home_municipality.refresh_from_db()
    name = str(home_municipality.logo.name)
    assert name.startswith("logos/") and name.endswith(".png")
    assert "evil" not in name and "php" not in name
    stored = (_media / name).read_bytes()
    assert stored.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"secret note" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert image.size == (40, 20)
        assert image.mode == "RGBA"  # transparency kept
        assert "Comment" not in image.info


@pytest.mark.parametrize(
    ("filename", "content", "content_type", "message"),
    [
        ("logo.svg", SVG, "image/svg+xml", "SVG- och HTML-filer tas inte emot som logotyp"),
        ("logo.png", HTML, "image/png", "SVG- och HTML-filer tas inte emot som logotyp"),
        (
            "logo.pdf",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
            "application/pdf",
            "Filen är ingen bild",
        ),
    ],
)
def test_svg_html_and_other_files_are_refused_with_a_clear_swedish_error_and_nothing_typed_is_lost(
    login: Any,
    coordinator: User,
    home_municipality: Municipality,
    _media: Path,
    filename: str,
    content: bytes,
    content_type: str,
    message: str,
) -> None:
    upload = SimpleUploadedFile(filename, content, content_type)

    response = login(coordinator).post(
        _url(home_municipality),
        {**_form(home_municipality, contact_phone="0372-123 45"), "logo": upload},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="0372-123 45"' in page
    home_municipality.refresh_from_db()
    assert not home_municipality.logo
    assert home_municipality.contact_phone == ""
    assert not (_media / "logos").exists() or not any((_media / "logos").iterdir())


def test_a_new_logo_replaces_the_old_file_which_is_no_longer_served(
    login: Any,
    coordinator: User,
    home_municipality: Municipality,
    _media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = login(coordinator)
    client.post(
        _url(home_municipality), {**_form(home_municipality), "logo": SimpleUploadedFile("a.png", _png())}
    )
    home_municipality.refresh_from_db()
    first = str(home_municipality.logo.name)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url(home_municipality),
            {**_form(home_municipality), "logo": SimpleUploadedFile("b.png", _png(size=(8, 8)))},
        )

    home_municipality.refresh_from_db()
    assert str(home_municipality.logo.name) != first
    assert not (_media / first).exists()
    assert (_media / str(home_municipality.logo.name)).exists()


def test_the_logo_cannot_be_an_html_file_in_the_operators_admin_either(
    login: Any, home_municipality: Municipality, _media: Path
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    operator = User.objects.create_superuser("operator", "operator@example.se", "ett-långt-lösenord")
    TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    client = login(operator)
    url = reverse("admin:municipalities_municipality_change", args=[home_municipality.pk])
    form = {
        "name": home_municipality.name,
        "name_genitive": "Ljungby kommuns",
        "slug": home_municipality.slug,
        "scb_code": home_municipality.scb_code,
        "county": home_municipality.county,
        "population": home_municipality.population,
        "population_note": home_municipality.population_note,
        "accent_colour": home_municipality.accent_colour,
        "police_areas": [area.pk for area in home_municipality.police_areas.all()],
        "parties-TOTAL_FORMS": "0",
        "parties-INITIAL_FORMS": "0",
        "areas-TOTAL_FORMS": "0",
        "areas-INITIAL_FORMS": "0",
    }

    refused = client.post(url, {**form, "logo": SimpleUploadedFile("x.html", HTML, "text/html")})
    accepted = client.post(url, {**form, "logo": SimpleUploadedFile("x.png", _png(), "image/png")})

    assert refused.status_code == 200
    assert "SVG- och HTML-filer tas inte emot som logotyp" in refused.content.decode()
    assert accepted.status_code == 302, accepted.content.decode()[:3000]
    home_municipality.refresh_from_db()
    assert str(home_municipality.logo.name).endswith(".png")
    assert (_media / str(home_municipality.logo.name)).read_bytes().startswith(b"\x89PNG")
    assert not list((_media / "logos").glob("*.html"))


def test_saving_an_html_logo_without_any_form_is_refused_and_stores_nothing(
    home_municipality: Municipality, _media: Path
) -> None:
    home_municipality.logo = SimpleUploadedFile("logo.png", HTML, "image/png")

    with pytest.raises(ValidationError), transaction.atomic():
        home_municipality.save()

    assert not (_media / "logos").exists() or not any((_media / "logos").iterdir())
    assert not Municipality.objects.get(pk=home_municipality.pk).logo


@pytest.mark.parametrize(
    ("latitude", "longitude", "accepted"),
    [("56.833", "13.941", True), ("13.941", "56.833", False), ("59.3", "", False), ("0", "0", False)],
)
def test_the_map_centre_must_be_a_point_in_sweden_given_whole(
    login: Any,
    coordinator: User,
    home_municipality: Municipality,
    latitude: str,
    longitude: str,
    accepted: bool,
) -> None:
    response = login(coordinator).post(
        _url(home_municipality), _form(home_municipality, map_latitude=latitude, map_longitude=longitude)
    )

    home_municipality.refresh_from_db()
    if accepted:
        assert response.status_code == 302
        assert home_municipality.map_centre == (56.833, 13.941)
        page = Client().get(reverse("reports:map", args=["ljungby"])).content.decode()
        assert 'data-centre="[56.833, 13.941]"' in page
    else:
        assert response.status_code == 400
        assert (
            "Kartans mitt" in response.content.decode()
            or "både latitud och longitud" in response.content.decode()
        )
        assert home_municipality.map_centre is None


@pytest.mark.parametrize("persona", ["police_officer", "crew_member"])
def test_police_and_crew_may_not_change_the_profile_and_nothing_changes(
    request: pytest.FixtureRequest, login: Any, home_municipality: Municipality, persona: str
) -> None:
    client = login(request.getfixturevalue(persona))

    assert client.get(_url(home_municipality)).status_code == 403
    response = client.post(_url(home_municipality), _form(home_municipality, name="Kapad kommun"))

    assert response.status_code == 403
    home_municipality.refresh_from_db()
    assert home_municipality.name == "Ljungby kommun"


def test_another_municipalitys_coordinator_finds_no_such_page(
    login: Any, outsider: User, home_municipality: Municipality
) -> None:
    client = login(outsider)

    assert client.get(_url(home_municipality)).status_code == 404
    assert client.post(_url(home_municipality), _form(home_municipality, name="Kapad")).status_code == 404
    home_municipality.refresh_from_db()
    assert home_municipality.name == "Ljungby kommun"


def test_police_areas_are_listed_in_order_whatever_the_number_of_areas(
    login: Any, coordinator: User, home_municipality: Municipality, django_assert_max_num_queries: Any
) -> None:
    client = login(coordinator)
    client.get(_url(home_municipality))
    for number in range(10):
        PoliceArea.objects.create(name=f"Lokalpolisområde {number:02d}")

    with django_assert_max_num_queries(20):
        page = client.get(_url(home_municipality)).content.decode()

    assert page.index("Lokalpolisområde 00") < page.index("Lokalpolisområde 09")


def test_the_footer_links_the_website_by_its_genitive_in_swedish_and_its_official_name_in_english(
    home_municipality: Municipality,
) -> None:
    Municipality.objects.filter(pk=home_municipality.pk).update(
        name="Ljungby kommun", name_genitive="Ljungby kommuns", website="https://www.ljungby.se"
    )
    url = reverse("promises:municipality", args=["ljungby"])

    swedish = Client().get(url).content.decode()
    english = Client().get(f"/en{url}").content.decode()

    assert ">Ljungby kommuns webbplats</a>" in swedish
    assert ">Website of Ljungby kommun</a>" in english
    assert "Ljungby kommuns" not in english
