from django.urls import path

from . import staff_views, views

app_name = "surveys"

SURVEY = "<slug:municipality>/trygghetsmatning/<slug:survey>/"

urlpatterns = [
    path("personal/trygghetsmatning/", staff_views.survey_list, name="staff_list"),
    path("personal/trygghetsmatning/ny/", staff_views.survey_create, name="staff_create"),
    path("personal/trygghetsmatning/<int:pk>/", staff_views.survey_detail, name="staff_detail"),
    path("personal/trygghetsmatning/<int:pk>/fragor/", staff_views.survey_questions, name="staff_questions"),
    path(
        "personal/trygghetsmatning/<int:pk>/egen-fraga/",
        staff_views.survey_custom_question,
        name="staff_custom",
    ),
    path(
        "personal/trygghetsmatning/<int:pk>/oversattning/",
        staff_views.survey_translation,
        name="staff_translation",
    ),
    path("personal/trygghetsmatning/<int:pk>/status/", staff_views.survey_status, name="staff_status"),
    path(
        "personal/trygghetsmatning/<int:pk>/installningar/",
        staff_views.survey_settings,
        name="staff_settings",
    ),
    path("personal/trygghetsmatning/<int:pk>/koder/", staff_views.survey_codes, name="staff_codes"),
    path(
        "personal/trygghetsmatning/<int:pk>/forhandsgranska/",
        staff_views.survey_preview,
        name="staff_preview",
    ),
    path("personal/trygghetsmatning/<int:pk>/import/", staff_views.survey_import, name="staff_import"),
    path(
        "personal/trygghetsmatning/<int:pk>/import/kolumner/",
        staff_views.survey_import_mapping,
        name="staff_mapping",
    ),
    path("personal/trygghetsmatning/<int:pk>/resultat/", staff_views.survey_results, name="staff_results"),
    path(SURVEY, views.answer_start, name="answer"),
    path(SURVEY + "fragor/<int:step>/", views.answer_step, name="step"),
    path(SURVEY + "tack/", views.answer_thanks, name="thanks"),
    path(SURVEY + "resultat/", views.results_page, name="results"),
    path(SURVEY + "resultat/resultat.csv", views.results_csv, name="results_csv"),
    path(SURVEY + "resultat/<slug:kind>.svg", views.results_chart, name="results_chart"),
    path(SURVEY + "resultat/<slug:area>/", views.results_page, name="results"),
    path(SURVEY + "resultat/<slug:area>/resultat.csv", views.results_csv, name="results_csv"),
    path(SURVEY + "resultat/<slug:area>/<slug:kind>.svg", views.results_chart, name="results_chart"),
]
