import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.core.formtiming import FillTimeMixin
from trygg.municipalities.models import Party

from .models import Comment, CommentSettings

MAX_COMMENT_LENGTH = 2000


class HoneypotMixin(FillTimeMixin):
    # Hidden from people by the stylesheet; a bot that fills every field fills this one too.
    website = forms.CharField(
        label=_("Lämna det här fältet tomt"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))


class CommentForm(HoneypotMixin):
    author_name = forms.CharField(
        label=_("Ditt namn"),
        max_length=100,
        required=False,
        help_text=_("Visas med kommentaren. Lämna tomt så står det ”anonym”."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Din e-postadress"),
        required=False,
        help_text=_(
            "Frivilligt. Visas aldrig. Används bara för att berätta när kommunen eller polisen svarar dig."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    text = forms.CharField(
        label=_("Kommentar"),
        max_length=MAX_COMMENT_LENGTH,
        help_text=_(
            "Vanlig text, högst 2000 tecken. Skriv inte namn på personer eller andra personuppgifter."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    field_order = ["author_name", "email", "text", "website", "submission_id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "kommentar")
        kwargs.setdefault("initial", {"submission_id": uuid.uuid4()})
        super().__init__(*args, **kwargs)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Skriv en kommentar."))
        return text


class SubscribeForm(HoneypotMixin):
    email = forms.EmailField(
        label=_("Din e-postadress"),
        help_text=_(
            "Du får först ett e-brev med en länk att bekräfta. Sedan högst ett e-brev om dagen, bara när "
            "något är nytt. Varje brev har en länk för att sluta."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "prenumeration")
        super().__init__(*args, **kwargs)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Anledning"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    reason = forms.CharField(label=_("Kommentar till beslutet (frivillig)"), max_length=500, required=False)


class EditOutForm(forms.Form):
    published_text = forms.CharField(
        label=_("Publicerad text"),
        max_length=MAX_COMMENT_LENGTH,
        help_text=_("Ta bort personuppgifter. Originalet sparas och texten märks som redigerad."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    reason = forms.CharField(label=_("Anledning"), max_length=500, required=False)


class ReplyForm(forms.Form):
    party = forms.ModelChoiceField(label=_("Svara som"), queryset=Party.objects.none(), empty_label=None)
    text = forms.CharField(label=_("Svar"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, parties: list[Party], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Party.objects.filter(pk__in=[party.pk for party in parties])


class NameSearchForm(forms.Form):
    name = forms.CharField(label=_("Namnet som står på kommentarerna"), max_length=100)


def _comment_label(comment: Comment) -> str:
    return f"{comment.created_at:%Y-%m-%d}: {comment.published_text[:80]}"


class NameRemovalForm(forms.Form):
    comments = forms.ModelMultipleChoiceField(
        label=_("Kommentarer"), queryset=Comment.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("Vem bad om det, och när?"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, comments: list[Comment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["comments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Comment.objects.filter(pk__in=[comment.pk for comment in comments])
        field.label_from_instance = _comment_label  # type: ignore[method-assign,assignment]


class SettingsForm(forms.Form):
    moderation_mode = forms.ChoiceField(
        label=_("Granskning av kommentarer"), choices=CommentSettings.Mode.choices, widget=forms.RadioSelect
    )
