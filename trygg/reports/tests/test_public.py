import io
import json
import uuid
from typing import Any

import html5lib
import pytest
import shapely
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from trygg.municipalities.models import Municipality
from trygg.reports.models import Report, ReportCategory, ReportFollower, ReportPhoto
from trygg.reports.tests.conftest import jpeg_with_metadata

pytestmark = pytest.mark.django_db

FORM = "/ljungby/felanmalan/"


def _parse(content: bytes) -> object:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def _post(client: Client, municipality: Municipality, **fields: object) -> Any:
    category = ReportCategory.objects.get(municipality=municipality, slug=fields.pop("category", "belysning"))
    data = {
        "category": category.pk,
        "place": "Salvesbacken",
        "description": "Lampan vid parkens ingång lyser inte.",
        "submission_id": str(uuid.uuid4()),
        "website": "",
        **fields,
    }
    return client.post(FORM, data)


def test_the_report_form_is_valid_html_and_says_what_is_public_and_that_it_is_not_a_police_report(
    client: Client, reports_demo: Municipality
) -> None:
    response = client.get(FORM)

    assert response.status_code == 200
    document = _parse(response.content)
    assert len(document.findall(".//h1")) == 1  # type: ignore[attr-defined]
    page = response.content.decode()
    for text in (
        "Det här visas för alla",
        "Det här sparar kommunen",
        "allmän handling",
        "inte en polisanmälan",
        "114 14",
        "polisen.se",
        "112",
    ):
        assert text in page
    assert "<script>" not in page and "style=" not in page
    assert 'data-mode="pick"' in page and "leaflet/leaflet.js" in page


def test_a_resident_files_a_report_by_typing_a_place_name(client: Client, reports_demo: Municipality) -> None:
    response = _post(client, reports_demo, place="salvesbacken", reporter_email="ada@example.se")

    assert response.status_code == 302
    report = Report.objects.get(source=Report.Source.WEB)
    assert response["Location"] == f"/ljungby/felanmalan/{report.reference}/tack/"
    assert report.place_name == "Salvesbacken"
    assert (report.latitude, report.longitude) == (56.8352, 13.935)
    assert (report.public_latitude, report.public_longitude) != (report.latitude, report.longitude)
    assert report.state == Report.State.NEW
    assert report.events.count() == 1
    thanks = client.get(response["Location"])
    assert report.reference in thanks.content.decode()


def test_a_street_with_a_house_number_resolves_to_the_street_and_keeps_the_number_in_its_name(
    client: Client, reports_demo: Municipality
) -> None:
    assert _post(client, reports_demo, place="Storgatan 12").status_code == 302
    report = Report.objects.get(source=Report.Source.WEB)
    assert report.place_name == "Storgatan 12"
    assert (report.latitude, report.longitude) == (56.8322, 13.9398)


def test_a_map_click_gives_the_point_without_any_typed_place(
    client: Client, reports_demo: Municipality
) -> None:
    response = _post(client, reports_demo, place="", latitude="56.8400", longitude="13.9500")

    assert response.status_code == 302
    report = Report.objects.get(source=Report.Source.WEB)
    assert (report.latitude, report.longitude) == (56.84, 13.95)


def test_an_unknown_place_is_an_error_naming_what_was_typed(
    client: Client, reports_demo: Municipality
) -> None:
    response = _post(client, reports_demo, place="Atlantis")

    assert response.status_code == 400
    assert "Vi hittar inte ”Atlantis”" in response.content.decode()
    assert not Report.objects.filter(source=Report.Source.WEB).exists()
    _parse(response.content)


def test_double_posting_the_same_form_creates_one_report(client: Client, reports_demo: Municipality) -> None:
    submission = str(uuid.uuid4())
    first = _post(client, reports_demo, submission_id=submission)
    second = _post(client, reports_demo, submission_id=submission)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Report.objects.filter(source=Report.Source.WEB).count() == 1


def test_a_filled_honeypot_is_refused_and_writes_nothing(client: Client, reports_demo: Municipality) -> None:
    before = Report.objects.count()
    response = _post(client, reports_demo, website="http://spam.example")

    assert response.status_code == 400
    assert Report.objects.count() == before


def test_too_many_posts_from_one_client_get_429_with_a_plain_message_and_write_nothing(
    client: Client, reports_demo: Municipality, settings
) -> None:
    settings.REPORTS_RATE_LIMIT = (2, 600)
    assert _post(client, reports_demo, place="Stora torget").status_code == 302
    assert _post(client, reports_demo, place="Resecentrum").status_code == 302
    before = Report.objects.count()

    refused = _post(client, reports_demo, place="Storgatan")

    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/plain")
    assert "Vänta en stund" in refused.content.decode()
    assert Report.objects.count() == before


def test_text_that_reads_like_an_emergency_asks_for_confirmation_before_filing(
    client: Client, reports_demo: Municipality
) -> None:
    submission = str(uuid.uuid4())
    text = "En man hotade mig med kniv vid lampan."
    check = _post(client, reports_demo, description=text, submission_id=submission)

    assert check.status_code == 200
    page = check.content.decode()
    assert "ring 112" in page and "114 14" in page
    assert 'name="step" value="check"' in page
    assert not Report.objects.filter(source=Report.Source.WEB).exists()
    _parse(check.content)

    unconfirmed = _post(client, reports_demo, description=text, submission_id=submission, step="check")
    assert unconfirmed.status_code == 400
    assert not Report.objects.filter(source=Report.Source.WEB).exists()

    confirmed = _post(
        client, reports_demo, description=text, submission_id=submission, step="check", not_emergency="on"
    )
    assert confirmed.status_code == 302
    assert Report.objects.filter(source=Report.Source.WEB).count() == 1


def test_open_reports_of_the_same_category_nearby_are_suggested_before_filing(
    client: Client, reports_demo: Municipality
) -> None:
    # The demo has an open lighting report by the river path; a second one right there is a likely duplicate.
    existing = Report.objects.get(reference="EX-LJU-B1")
    submission = str(uuid.uuid4())
    check = _post(client, reports_demo, place="Lagaån, gångvägen", submission_id=submission)

    assert check.status_code == 200
    page = check.content.decode()
    assert "Har någon redan anmält det här?" in page
    assert f"{existing.get_absolute_url()}#folj" in page
    assert not Report.objects.filter(source=Report.Source.WEB).exists()

    filed = _post(client, reports_demo, place="Lagaån, gångvägen", submission_id=submission, step="check")
    assert filed.status_code == 302


def test_a_resident_can_follow_a_suggested_report_instead(client: Client, reports_demo: Municipality) -> None:
    existing = Report.objects.get(reference="EX-LJU-B1")

    response = client.post(f"{existing.get_absolute_url()}folj/", {"email": "bo@example.se", "website": ""})

    assert response.status_code == 303
    assert ReportFollower.objects.filter(report=existing, email="bo@example.se").exists()
    assert "bo@example.se" not in client.get(existing.get_absolute_url()).content.decode()


def test_the_follow_confirmation_page_is_a_get_after_the_post_so_a_reload_sends_nothing_again(
    client: Client, reports_demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    existing = Report.objects.get(reference="EX-LJU-B1")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{existing.get_absolute_url()}folj/", {"email": "bo@example.se", "website": ""}
        )
    page = client.get(response["Location"])
    again = client.get(response["Location"])

    assert response.status_code == 303
    assert response["Location"] == f"{existing.get_absolute_url()}folj/skickat/"
    assert page.status_code == again.status_code == 200
    assert "Bekräfta i din e-post" in page.content.decode()
    assert len(mail.outbox) == 1  # the reloads sent nothing
    assert ReportFollower.objects.filter(report=existing).count() == 1


def test_a_photo_is_stored_without_any_metadata_under_a_random_name(
    client: Client, reports_demo: Municipality
) -> None:
    upload = SimpleUploadedFile("IMG_2024_hemma.jpg", jpeg_with_metadata(), content_type="image/jpeg")

    response = _post(client, reports_demo, photos=[upload])

    assert response.status_code == 302
    photo = ReportPhoto.objects.get()
    stored = photo.image.read()
    for secret in (b"SecretCam", b"SECRETXMP", b"SECRETCOMMENT", b"hemlig", b"Exif"):
        assert secret not in stored
    assert "IMG_2024" not in (photo.image.name or "")
    assert Image.open(io.BytesIO(stored)).size == (20, 40)
    served = client.get(photo.get_absolute_url())
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == stored  # type: ignore[attr-defined]


def test_photos_of_hidden_reports_are_not_served(client: Client, reports_demo: Municipality) -> None:
    _post(client, reports_demo, photos=[SimpleUploadedFile("a.jpg", jpeg_with_metadata())])
    photo = ReportPhoto.objects.get()
    Report.objects.filter(pk=photo.report_id).update(is_public=False)

    assert client.get(photo.get_absolute_url()).status_code == 404


def test_an_oversize_photo_is_refused_and_nothing_is_written(
    client: Client, reports_demo: Municipality
) -> None:
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 1), content_type="image/jpeg"
    )

    response = _post(client, reports_demo, photos=[big])

    assert response.status_code == 400
    assert "högst 10 MB" in response.content.decode()
    assert not Report.objects.filter(source=Report.Source.WEB).exists()
    assert not ReportPhoto.objects.exists()


def test_a_file_that_only_pretends_to_be_an_image_is_refused(
    client: Client, reports_demo: Municipality
) -> None:
    fake = SimpleUploadedFile("cat.jpg", b"<?php echo 'hi'; ?>", content_type="image/jpeg")

    response = _post(client, reports_demo, photos=[fake])

    assert response.status_code == 400
    assert "ingen bild" in response.content.decode()
    assert not ReportPhoto.objects.exists()


def test_more_than_three_photos_are_refused(client: Client, reports_demo: Municipality) -> None:
    photos = [SimpleUploadedFile(f"{n}.jpg", jpeg_with_metadata()) for n in range(4)]

    assert _post(client, reports_demo, photos=photos).status_code == 400
    assert not ReportPhoto.objects.exists()


def test_the_public_map_and_geojson_never_show_exact_points_or_reporter_data(
    client: Client, reports_demo: Municipality
) -> None:
    _post(
        client,
        reports_demo,
        place="",
        latitude="56.841234",
        longitude="13.951234",
        reporter_name="Hemliga Hanna",
        reporter_email="hanna@example.se",
    )
    report = Report.objects.get(source=Report.Source.WEB)
    Report.objects.filter(pk=report.pk).update(police_report_number="5000-K999-24")

    pages = [
        client.get("/ljungby/felanmalan/karta/").content.decode(),
        client.get("/ljungby/felanmalan/karta.geojson").content.decode(),
        client.get(report.get_absolute_url()).content.decode(),
    ]
    for page in pages:
        for secret in (
            "Hemliga Hanna",
            "hanna@example.se",
            "5000-K999-24",
            "56.841234",
            "13.951234",
            "56.8412",
            "13.9512",
        ):
            assert secret not in page
    geojson = json.loads(pages[1])
    feature = next(f for f in geojson["features"] if f["id"] == report.reference)
    assert feature["geometry"]["coordinates"] == [
        round(report.public_longitude, 6),
        round(report.public_latitude, 6),
    ]
    assert set(feature["properties"]) == {
        "reference",
        "category",
        "category_name",
        "state",
        "state_name",
        "created",
        "example",
        "url",
    }
    _parse(client.get("/ljungby/felanmalan/karta/").content)
    _parse(client.get(report.get_absolute_url()).content)


def test_geojson_filters_by_bounding_box_category_and_state(
    client: Client, reports_demo: Municipality
) -> None:
    porten = json.loads(client.get("/ljungby/felanmalan/karta.geojson?bbox=13.95,56.843,13.96,56.85").content)
    refs = {feature["id"] for feature in porten["features"]}
    assert refs == {"EX-LJU-K1", "EX-LJU-K2", "EX-LJU-S1", "EX-LJU-N2"}

    klotter = json.loads(
        client.get("/ljungby/felanmalan/karta.geojson?category=klotter&state=resolved").content
    )
    assert {feature["id"] for feature in klotter["features"]} == {"EX-LJU-K3", "EX-LJU-K4"}

    assert client.get("/ljungby/felanmalan/karta.geojson?bbox=1,2,3").status_code == 400
    assert client.get("/ljungby/felanmalan/karta.geojson?category=finns-inte").status_code == 200


def test_the_maps_geojson_is_read_by_geos_as_one_point_per_public_report_where_the_report_is_shown(
    client: Client, reports_demo: Municipality
) -> None:
    # GEOS's own GeoJSON reader (through shapely), not the project's code, reads the feed.
    text = client.get("/ljungby/felanmalan/karta.geojson").content.decode()
    collection = shapely.from_geojson(text)
    features = json.loads(text)["features"]
    public = {
        report.reference: (float(report.public_longitude), float(report.public_latitude))
        for report in Report.objects.public().filter(municipality=reports_demo)
    }

    assert collection.geom_type == "GeometryCollection" and len(collection.geoms) == len(features) == len(
        public
    )
    for feature, point in zip(features, collection.geoms, strict=True):
        longitude, latitude = public[feature["id"]]
        assert point.geom_type == "Point"
        assert (point.x, point.y) == pytest.approx((longitude, latitude), abs=1e-6)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_each_geojson_feature_links_to_its_reports_page_and_names_its_state_in_the_pages_language(
    client: Client, reports_demo: Municipality, prefix: str
) -> None:
    from django.utils import translation

    features = json.loads(client.get(f"{prefix}/ljungby/felanmalan/karta.geojson").content)["features"]
    reports = {report.reference: report for report in Report.objects.public()}

    assert len(features) == len(reports) > 1
    with translation.override(prefix.strip("/") or "sv"):
        for feature in features:
            report = reports[feature["id"]]
            assert feature["properties"]["url"] == report.get_absolute_url()
            assert feature["properties"]["state_name"] == str(report.get_state_display())
    assert client.get(features[0]["properties"]["url"]).status_code == 200


def test_the_list_view_filters_like_the_map(client: Client, reports_demo: Municipality) -> None:
    page = client.get("/ljungby/felanmalan/karta/?category=belysning").content.decode()

    assert "EX-LJU-B1" in page and "EX-LJU-K1" not in page
    assert "Exempeldata" in page


def test_the_map_and_list_page_query_count_does_not_grow_with_reports(
    client: Client, reports_demo: Municipality, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(8):
        client.get("/ljungby/felanmalan/karta/")


def test_hidden_reports_are_not_on_the_public_pages(client: Client, reports_demo: Municipality) -> None:
    Report.objects.filter(reference="EX-LJU-K1").update(is_public=False)

    assert client.get("/ljungby/felanmalan/EX-LJU-K1/").status_code == 404
    assert "EX-LJU-K1" not in client.get("/ljungby/felanmalan/karta.geojson").content.decode()


def test_the_report_page_shows_the_public_history(client: Client, reports_demo: Municipality) -> None:
    page = client.get("/ljungby/felanmalan/EX-LJU-S3/").content.decode()

    assert "Staketet ägs av idrottsföreningen" in page
    assert "inte kommunens ansvar" in page
    assert mail.outbox == []


def test_the_public_activity_page_shows_the_police_report_share_per_month(
    client: Client, time_machine
) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from trygg.demo.reports import load_reports_demo
    from trygg.demo.services import demo_load, link_report_categories
    from trygg.promises.models import Activity

    # Mid-year, so that the example reports of the last weeks fall in the current promise's period.
    now = dt.datetime(2026, 6, 15, 12, tzinfo=ZoneInfo("Europe/Stockholm"))
    time_machine.move_to(now, tick=False)
    result = demo_load(now=now)
    load_reports_demo(result.municipality, now=now)
    assert result.current_promise is not None
    link_report_categories(result.municipality, result.current_promise)
    activity = Activity.objects.get(
        focus_area__promise=result.current_promise, text__contains="sanerar klotter"
    )

    page = client.get(activity.get_absolute_url()).content.decode()

    assert "Andel polisanmälda" in page
    assert "Exempeldata" in page


def test_a_point_outside_the_municipality_is_refused_beside_the_place_field_and_nothing_typed_is_lost(
    client: Client, reports_demo: Municipality
) -> None:
    text = "Lampan på torget lyser inte."
    for latitude, longitude in [(59.33, 18.06), (-89.9, 179.9), (0.0, 0.0)]:
        response = _post(
            client,
            reports_demo,
            place="",
            latitude=str(latitude),
            longitude=str(longitude),
            description=text,
            reporter_name="Bo",
        )

        assert response.status_code == 400
        page = response.content.decode()
        assert "Platsen ligger utanför Ljungby kommun" in page
        assert text in page and 'value="Bo"' in page
        _parse(response.content)
    assert not Report.objects.filter(source=Report.Source.WEB).exists()


def test_the_receipt_of_a_report_that_reads_like_an_emergency_repeats_the_112_advice(
    client: Client, reports_demo: Municipality
) -> None:
    text = "Någon hotade mig vid lampan, men nu gäller det lampan."
    filed = _post(client, reports_demo, description=text, step="check", not_emergency="on")

    assert filed.status_code == 302
    receipt = client.get(filed["Location"]).content.decode()
    assert "ring 112" in receipt
    report = Report.objects.get(source=Report.Source.WEB)
    assert "112" in report.events.get().note


def test_a_description_may_be_as_long_as_open311_allows(client: Client, reports_demo: Municipality) -> None:
    assert _post(client, reports_demo, description="å" * 4000).status_code == 302
    assert _post(client, reports_demo, description="å" * 4001).status_code == 400
