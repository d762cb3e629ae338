import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from trygg.core.concurrency import run_at_once
from trygg.surveys import services
from trygg.surveys.models import AnswerDraft, InvitationCode, Question, Response, Survey
from trygg.surveys.tests.factories import SurveyFactory

TODAY = dt.date(2024, 9, 15)
NOW = dt.datetime(2024, 9, 15, 10, tzinfo=dt.UTC)


def test_the_shipped_bank_has_the_problem_items_mapped_to_the_problem_list(db):
    services.questions_ensure_bank()

    bank = {question.code: question for question in Question.objects.bank().select_related("problem")}
    for code in [
        "p_nedskrapning",
        "p_klotter",
        "p_skadegorelse",
        "p_morka_omraden",
        "p_ungdomar_stor",
        "p_berusade",
        "p_narkotika_offentligt",
        "p_bilar_fort",
    ]:
        assert bank[code].problem is not None, code
    assert {"t_kvall", "f_polis_bryr_sig", "s_undviker", "o_brott", "u_skadegorelse"} <= set(bank)
    assert bank["p_klotter"].translations.filter(language="en").exists()
    assert bank["p_klotter"].translations.filter(language="sv-lattlast").exists()


def test_loading_the_bank_twice_creates_nothing_new(db):
    services.questions_ensure_bank()

    assert services.questions_ensure_bank() == 0


def test_codes_are_returned_once_in_plain_text_and_stored_only_as_hashes(coordinator, home_municipality):
    survey = SurveyFactory.create(municipality=home_municipality)

    codes = services.invitation_codes_generate(survey=survey, count=20, by=coordinator)

    assert len(set(codes)) == 20
    stored = list(InvitationCode.objects.filter(survey=survey).values_list("code_hash", flat=True))
    assert len(stored) == 20
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in "".join(stored)
        assert services.code_hash(survey=survey, code=code) in stored
    assert {field.name for field in InvitationCode._meta.get_fields()} == {
        "id",
        "survey",
        "code_hash",
        "used",
    }


def test_a_police_officer_may_not_generate_codes(police_officer, home_municipality):
    survey = SurveyFactory.create(municipality=home_municipality)

    with pytest.raises(PermissionDenied):
        services.invitation_codes_generate(survey=survey, count=5, by=police_officer)
    assert not InvitationCode.objects.exists()


def _submit(survey, code, answers, area="", today=TODAY):
    draft = services.answer_start(survey=survey, code=code, language="sv", now=NOW)
    draft.answers, draft.area, draft.area_chosen = answers, area, True
    services.answer_draft_save(draft=draft, now=NOW)
    services.response_submit(draft_id=draft.pk, survey=survey, today=today, now=NOW)


def test_a_code_works_once_and_the_first_answers_stay(coordinator, home_municipality):
    survey = SurveyFactory.create(municipality=home_municipality, areas=["Centrum", "Landsbygd"])
    [code] = services.invitation_codes_generate(survey=survey, count=1, by=coordinator)

    _submit(survey, code.lower(), {"p_klotter": 1}, area="Centrum")
    with pytest.raises(services.CodeAlreadyUsed):
        _submit(survey, code, {"p_klotter": 4}, area="Landsbygd")

    assert list(Response.objects.values_list("answers", "area")) == [({"p_klotter": 1}, "Centrum")]


def test_a_draft_is_submitted_once(coordinator, home_municipality):
    survey = SurveyFactory.create(municipality=home_municipality)
    [code] = services.invitation_codes_generate(survey=survey, count=1, by=coordinator)
    draft = services.answer_start(survey=survey, code=code, language="sv", now=NOW)

    services.response_submit(draft_id=draft.pk, survey=survey, today=TODAY, now=NOW)
    with pytest.raises(services.DraftMissing):
        services.response_submit(draft_id=draft.pk, survey=survey, today=TODAY, now=NOW)

    assert Response.objects.count() == 1


def test_an_unknown_code_is_refused_and_nothing_is_stored(home_municipality):
    survey = SurveyFactory.create(municipality=home_municipality)

    with pytest.raises(services.CodeInvalid):
        services.answer_start(survey=survey, code="ABCDE-23456", language="sv", now=NOW)
    assert not Response.objects.exists() and not AnswerDraft.objects.exists()


def test_an_open_survey_takes_answers_without_a_code(db):
    survey = SurveyFactory.create(mode=Survey.Mode.OPEN)

    _submit(survey, None, {"t_kvall": 2})

    assert Response.objects.count() == 1


def test_a_closed_survey_takes_no_answers(db):
    survey = SurveyFactory.create(mode=Survey.Mode.OPEN, status=Survey.Status.CLOSED)

    with pytest.raises(ValidationError):
        services.answer_start(survey=survey, code=None, language="sv", now=NOW)


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_starts_with_one_code_give_exactly_one_draft_and_one_response(
    coordinator, home_municipality
):
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update is a no-op on SQLite; this test needs PostgreSQL (make test-postgres)")
    survey = SurveyFactory.create(municipality=home_municipality)
    [code] = services.invitation_codes_generate(survey=survey, count=1, by=coordinator)

    def submit(number: int) -> str:
        try:
            _submit(survey, code, {"p_klotter": 1 + number % 4})
        except services.CodeAlreadyUsed:
            return "refused"
        return "stored"

    outcomes = run_at_once(submit, 50)

    assert sorted(outcomes) == ["refused"] * 49 + ["stored"]
    assert Response.objects.filter(survey=survey).count() == 1
    assert InvitationCode.objects.get(survey=survey).used


def test_the_response_table_has_no_link_back_to_the_code_user_ip_browser_or_time(db):
    fields = {field.name: field for field in Response._meta.get_fields()}

    assert set(fields) == {"id", "survey", "submitted_on", "area", "answers", "weight"}
    relations = {name for name, field in fields.items() if field.is_relation}
    assert relations == {"survey"}
    assert fields["submitted_on"].get_internal_type() == "DateField"
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(cursor, Response._meta.db_table)
        }
    assert columns == {"id", "survey_id", "submitted_on", "area", "answers", "weight"}
    for forbidden in ("code", "user", "ip", "agent", "browser", "session", "time", "created"):
        assert not any(forbidden in column for column in columns - {"submitted_on"}), forbidden


def test_an_import_with_an_error_keeps_nothing(coordinator, home_municipality, tmp_path):
    survey = SurveyFactory.create(municipality=home_municipality, status=Survey.Status.CLOSED)
    path = tmp_path / "in.csv"
    path.write_text("id,omrade,klotter\n1,Centrum,2\n2,Centrum,5\n", encoding="utf-8")

    with pytest.raises(services.analysis.SurveyFileError) as raised:
        services.survey_import_file(
            survey=survey,
            path=path,
            kind="csv",
            mapping={"id": "respondent", "omrade": "area", "klotter": "p_klotter"},
            original_name="in.csv",
            by=coordinator,
            today=TODAY,
        )

    [error] = raised.value.errors
    assert (error.line, error.column) == (3, "p_klotter")
    assert not hasattr(Survey.objects.get(pk=survey.pk), "data_file")


def test_an_spss_file_is_imported_through_the_mapping(coordinator, home_municipality, tmp_path):
    import polars as pl
    import pyreadstat

    survey = SurveyFactory.create(municipality=home_municipality, status=Survey.Status.CLOSED)
    path = tmp_path / "in.sav"
    frame = pl.DataFrame(
        {
            "lopnr": [1.0, 2.0, 3.0],
            "omr": ["Centrum", "Centrum", ""],
            "q12": [1.0, None, 4.0],
            "vikt": [1.0, 2.0, 0.5],
        }
    )
    pyreadstat.write_sav(frame, str(path))

    data_file = services.survey_import_file(
        survey=survey,
        path=path,
        kind="sav",
        mapping={"lopnr": "respondent", "omr": "area", "q12": "p_klotter", "vikt": "weight"},
        original_name="in.sav",
        by=coordinator,
        today=TODAY,
    )

    assert data_file.row_count == 3
    assert data_file.file.read().decode() == (
        "respondent,area,p_klotter,weight\n1,Centrum,1,1\n2,Centrum,,2\n3,,4,0.5\n"
    )
