from django.urls import URLPattern, URLResolver, path

from . import staff_views, views

app_name = "evidence"

urlpatterns: list[URLPattern | URLResolver] = [
    path("personal/lagesbild/<slug:municipality>/", staff_views.overview, name="staff_overview"),
    path(
        "personal/lagesbild/<slug:municipality>/<int:year>/", staff_views.ranking_page, name="staff_ranking"
    ),
    path(
        "personal/lagesbild/<slug:municipality>/<int:year>/fokusomrade/",
        staff_views.focus_area_create,
        name="staff_focus_area_create",
    ),
    path(
        "personal/lagesbild/<slug:municipality>/<int:year>/dokument/",
        staff_views.document,
        name="staff_document",
    ),
    path(
        "personal/lagesbild/<slug:municipality>/<int:year>/dokument.pdf",
        staff_views.document_pdf,
        name="staff_document_pdf",
    ),
    path(
        "personal/lagesbild/<slug:municipality>/dialoger/", staff_views.dialogue_list, name="staff_dialogues"
    ),
    path(
        "personal/lagesbild/<slug:municipality>/dialoger/ny/",
        staff_views.dialogue_edit,
        name="staff_dialogue_new",
    ),
    path(
        "personal/lagesbild/<slug:municipality>/dialoger/<int:pk>/",
        staff_views.dialogue_edit,
        name="staff_dialogue",
    ),
    path("personal/lagesbild/<slug:municipality>/atgarder/", staff_views.measure_list, name="staff_measures"),
    path(
        "personal/lagesbild/<slug:municipality>/atgarder/ny/",
        staff_views.measure_edit,
        name="staff_measure_new",
    ),
    path(
        "personal/lagesbild/<slug:municipality>/atgarder/<int:pk>/",
        staff_views.measure_edit,
        name="staff_measure",
    ),
    path(
        "personal/lagesbild/<slug:municipality>/atgarder/<int:pk>/publicera/",
        staff_views.measure_publish,
        name="staff_measure_publish",
    ),
    path("<slug:municipality>/lagesbild/", views.current, name="current"),
    path("<slug:municipality>/lagesbild/<int:year>/", views.document, name="document"),
    path("<slug:municipality>/lagesbild/<int:year>.pdf", views.document_pdf, name="document_pdf"),
]
