from django.contrib import admin

from trygg.audit.admin import AuditedAdminMixin
from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin

from .models import Question, QuestionTranslation, Survey


class QuestionTranslationInline(admin.StackedInline):
    model = QuestionTranslation
    extra = 0
    fields = ["language", "municipality", "text", "choice_labels"]


@admin.register(Survey)
class SurveyAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "municipality"
    list_display = ["title", "municipality", "year", "mode", "status", "is_example"]
    list_filter = ["status", "mode", "year"]
    fields = [
        "municipality",
        "year",
        "title",
        "slug",
        "mode",
        "status",
        "k",
        "languages",
        "areas",
        "introduction",
    ]


@admin.register(Question)
class QuestionAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    # Invitation codes and responses are deliberately not in the admin: nobody browses single answers.
    municipality_path = "municipality"
    list_display = ["code", "text", "kind", "municipality", "problem"]
    list_filter = ["kind", "section"]
    inlines = [QuestionTranslationInline]
