"""Small helpers for forms that call services."""

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def form_add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Show what a service refused on the form: a field's error beside that field, anything else at the top.
    The input stays in the form, so the person corrects it instead of typing it again."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
