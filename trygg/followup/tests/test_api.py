import pytest
from django.test import Client

from trygg.followup.models import Execution

pytestmark = pytest.mark.django_db


def test_the_public_api_reads_statuses_and_executions(client, demo_followup):
    status = client.get("/api/municipalities/ljungby/promises/2023/status?as_of=2023-12-31").json()
    executions = client.get("/api/municipalities/ljungby/promises/2023/executions").json()

    assert status["total"] == 19
    sewage = next(item for item in status["activities"] if "avloppsvattnet" in item["text"])
    assert (sewage["status"], sewage["done"], sewage["target"], sewage["progress"]) == (
        "done",
        4,
        4,
        "4 av 4 mätningar",
    )
    assert executions["count"] == Execution.objects.count()
    assert executions["items"][0]["example_data"] is True


def _payload():
    return {"done_on": "2023-05-16", "description": "Dialogmöte med Centrumföreningen.", "participants": 12}


def test_verified_staff_of_the_party_record_through_the_api_with_a_csrf_token(
    police_officer, login, police_activity
):
    client = login(police_officer)
    client.handler.enforce_csrf_checks = True
    url = f"/api/staff/activities/{police_activity.pk}/executions"

    without_token = client.post(url, _payload(), content_type="application/json")
    client.get("/personal/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    with_token = client.post(url, _payload(), content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert without_token.status_code == 403
    assert with_token.status_code == 201
    assert Execution.objects.get().participants == 12


def test_a_post_sent_again_with_its_submission_id_or_idempotency_key_records_once(
    police_officer, login, police_activity
):
    client = login(police_officer)
    url = f"/api/staff/activities/{police_activity.pk}/executions"
    with_id = {**_payload(), "submission_id": "0d7f3c1e-5b2a-4c8e-9f10-2a3b4c5d6e7f"}

    answers = [client.post(url, with_id, content_type="application/json") for _ in range(2)]
    keyed = [
        client.post(url, _payload(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="logg-17")
        for _ in range(2)
    ]
    unmarked = [client.post(url, _payload(), content_type="application/json") for _ in range(2)]

    assert [answer.status_code for answer in answers + keyed + unmarked] == [201] * 6
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert keyed[0].json()["id"] == keyed[1].json()["id"] != answers[0].json()["id"]
    assert unmarked[0].json()["id"] != unmarked[1].json()["id"]
    assert Execution.objects.count() == 4


def test_the_api_write_refuses_anonymous_other_parties_and_other_municipalities(
    client, crew_member, outsider, login, police_activity
):
    url = f"/api/staff/activities/{police_activity.pk}/executions"

    assert client.post(url, _payload(), content_type="application/json").status_code == 401
    assert login(crew_member).post(url, _payload(), content_type="application/json").status_code == 403
    assert Client().post(url, _payload(), content_type="application/json").status_code == 401
    assert login(outsider).post(url, _payload(), content_type="application/json").status_code == 404
    assert not Execution.objects.exists()


def test_the_status_of_a_date_at_the_calendars_end_is_a_422_with_the_range_not_a_server_error(
    client, home_municipality
) -> None:
    for as_of in ("0001-01-01", "9999-12-31"):
        response = client.get(f"/api/municipalities/ljungby/promises/2023/status?as_of={as_of}")

        assert response.status_code == 422
        assert "1900-01-01" in response.json()["detail"]
