import pytest
from django.test import Client

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality
from trygg.promises.models import Promise
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory, PromiseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(home_municipality: Municipality) -> Promise:
    # Not a year: the home municipality's demo has a promise for the running year, whose address is the year.
    promise = PromiseFactory.create(
        municipality=home_municipality, slug="utkast", status=Promise.Status.DRAFT
    )
    area = FocusAreaFactory.create(promise=promise)
    ActivityFactory.create(
        focus_area=area,
        text="Polisen ska fotpatrullera på torget.",
        quantity=None,
        per="",
        responsible_parties=list(home_municipality.parties.all()[:1]),
    )
    return promise


def test_the_staff_view_lists_each_activitys_findings(login, coordinator: User, draft: Promise) -> None:
    page = login(coordinator).get(f"/personal/lofte/{draft.pk}/").content.decode()

    assert "Inget antal" in page
    assert "Publicera löftet" in page


def test_publishing_with_findings_needs_an_explicit_confirmation(
    login, coordinator: User, draft: Promise
) -> None:
    client: Client = login(coordinator)

    refused = client.post(f"/personal/lofte/{draft.pk}/publicera/", {})
    draft.refresh_from_db()
    assert refused.status_code == 400
    assert draft.status == Promise.Status.DRAFT

    accepted = client.post(f"/personal/lofte/{draft.pk}/publicera/", {"confirm_findings": "on"})
    draft.refresh_from_db()
    assert accepted.status_code == 302
    assert draft.status == Promise.Status.PUBLISHED
    entry = AuditEntry.objects.get(model="promises.promise", object_id=str(draft.pk))
    assert entry.changes["status"] == ["draft", "published"]
    assert entry.actor == coordinator


def test_staff_of_another_municipality_get_404_for_its_promises(
    login, outsider: User, draft: Promise
) -> None:
    client: Client = login(outsider)

    assert client.get(f"/personal/lofte/{draft.pk}/").status_code == 404
    assert (
        client.post(f"/personal/lofte/{draft.pk}/publicera/", {"confirm_findings": "on"}).status_code == 404
    )
    draft.refresh_from_db()
    assert draft.status == Promise.Status.DRAFT


def test_a_crew_member_may_read_but_not_publish(login, crew_member: User, draft: Promise) -> None:
    client: Client = login(crew_member)

    assert client.get(f"/personal/lofte/{draft.pk}/").status_code == 200
    assert (
        client.post(f"/personal/lofte/{draft.pk}/publicera/", {"confirm_findings": "on"}).status_code == 403
    )
    draft.refresh_from_db()
    assert draft.status == Promise.Status.DRAFT
    assert not AuditEntry.objects.filter(model="promises.promise").exists()


def test_the_admin_refuses_coordinators_their_work_is_in_the_staff_pages(
    login, coordinator: User, draft: Promise
) -> None:
    coordinator.groups.add(*User.objects.get(username="samordnare").groups.all())

    assert login(coordinator).get(f"/admin/promises/promise/{draft.pk}/change/").status_code == 403


def test_the_admin_cannot_change_a_promise_nor_set_its_status_or_publishing_date(
    login, coordinator: User, draft: Promise
) -> None:
    coordinator.is_superuser = True
    coordinator.save(update_fields=["is_superuser"])
    client: Client = login(coordinator)
    url = f"/admin/promises/promise/{draft.pk}/change/"
    form = {
        "municipality": draft.municipality_id,
        "title": draft.title,
        "slug": draft.slug,
        "valid_from": "2027-01-01",
        "valid_until": "2027-12-31",
        "status": "published",
        "published_on": "2027-01-01",
        "signatories-TOTAL_FORMS": "0",
        "signatories-INITIAL_FORMS": "0",
        "focus_areas-TOTAL_FORMS": "0",
        "focus_areas-INITIAL_FORMS": "0",
    }

    page = client.get(url).content.decode()
    response = client.post(url, form)

    draft.refresh_from_db()
    assert 'name="status"' not in page and 'name="published_on"' not in page
    assert response.status_code == 403
    assert (draft.status, draft.published_on) == (Promise.Status.DRAFT, None)
    assert client.get("/admin/promises/promise/add/").status_code == 403
    assert (
        client.post(
            f"/admin/promises/activity/{draft.focus_areas.get().activities.get().pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert not AuditEntry.objects.filter(model="promises.promise").exists()


def test_the_admin_lists_activities_with_their_promise_and_focus_areas_with_their_period(
    login, coordinator: User, draft: Promise
) -> None:
    coordinator.is_superuser = True
    coordinator.save(update_fields=["is_superuser"])
    client: Client = login(coordinator)

    activities = client.get("/admin/promises/activity/").content.decode()
    focus_areas = client.get("/admin/promises/focusarea/").content.decode()

    assert "column-promise" in activities and draft.title in activities
    assert "column-period" in focus_areas and "2023-01-01 – 2023-12-31" in focus_areas
