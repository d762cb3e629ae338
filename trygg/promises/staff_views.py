"""The staff promise editor: the promise, its signatories, focus areas and activities, each editable in place.

Every form is plain HTML and posts to its own address; a change answers with a redirect back to the thing it
changed, an error with the whole page again, the form open where it was, its errors listed at the top and nothing
typed lost. Each view reads the page's read model (`selectors.promise_editor`), asks `rules` and calls one service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from trygg.accounts.decorators import staff_required
from trygg.accounts.models import User
from trygg.core.submissions import once_per_form
from trygg.core.templatetags.site_tags import anchor
from trygg.followup import selectors as followup_selectors
from trygg.followup import services as followup_services
from trygg.followup.forms import PlannedDateForm
from trygg.municipalities import rules as municipality_rules

from . import rules, selectors, services
from .forms import (
    ActivityForm,
    FocusAreaForm,
    NewPromiseForm,
    NextYearForm,
    PromiseDetailsForm,
    PublishForm,
    ReasonForm,
    SignatoryForm,
    activity_initial,
)
from .selectors import PromiseEditor


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _add_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# ------------------------------------------------------------------------------------- page composition


@dataclass
class ActivityPanel:
    row: selectors.ActivityRow
    key: str = ""
    # The edit form is drawn only in the open panel (the others fetch it when opened: _lazy_form.html).
    form: ActivityForm | None = None
    plan_form: PlannedDateForm | None = None
    remove_form: ReasonForm | None = None


@dataclass
class FocusAreaPanel:
    row: selectors.FocusAreaRow
    activities: list[ActivityPanel]
    key: str = ""
    new_activity_key: str = ""
    # Like ActivityPanel.form, drawn only in the open panel.
    form: FocusAreaForm | None = None
    new_activity_form: ActivityForm | None = None
    remove_form: ReasonForm | None = None


@dataclass
class SignatoryPanel:
    signatory: Any
    form: SignatoryForm | None = None
    remove_form: ReasonForm | None = None


@dataclass
class Forms:
    """Forms bound to a failed post, by key; every other form of the page is built unbound."""

    bound: dict[str, Form] = field(default_factory=dict)

    def get(self, key: str, build: Any) -> Any:
        return self.bound.get(key) or build()


def _activity_form(editor: PromiseEditor, key: str, **kwargs: Any) -> ActivityForm:
    return ActivityForm(
        promise=editor.promise,
        focus_areas=editor.focus_area_choices,
        parties=editor.party_choices,
        areas=editor.area_choices,
        prefix=key,
        **kwargs,
    )


def _focus_area_form(editor: PromiseEditor, key: str, **kwargs: Any) -> FocusAreaForm:
    return FocusAreaForm(promise=editor.promise, problems=editor.problem_choices, prefix=key, **kwargs)


def _signatory_form(editor: PromiseEditor, key: str, **kwargs: Any) -> SignatoryForm:
    return SignatoryForm(promise=editor.promise, parties=editor.party_choices, prefix=key, **kwargs)


def _details_form(editor: PromiseEditor, **kwargs: Any) -> PromiseDetailsForm:
    promise = editor.promise
    initial = {name: getattr(promise, name) for name in services.PROMISE_FIELDS}
    return PromiseDetailsForm(promise=promise, prefix="uppgifter", initial=initial, **kwargs)


def _summary(form: Form) -> list[tuple[str, str, str]]:
    """The error summary's lines: (anchor, label, message); a form-wide error has no anchor."""
    lines = [("", "", str(error)) for error in form.non_field_errors()]
    for bound in form:
        lines += [(anchor(bound), str(bound.label), str(error)) for error in bound.errors]
    return lines


def _render(
    request: HttpRequest,
    editor: PromiseEditor,
    *,
    bound: dict[str, Form] | None = None,
    open_key: str = "",
    status: int = 200,
    publish_form: PublishForm | None = None,
) -> HttpResponse:
    promise = editor.promise
    can_edit = rules.can_edit_promise(request.user, promise)
    forms = Forms(bound or {})
    open_key = open_key or next(iter(bound or {}), "")
    focus_areas = []
    for area_row in editor.focus_areas:
        area = area_row.focus_area
        panels = []
        for row in area_row.activities:
            activity = row.activity
            key = f"aktivitet-{activity.pk}"
            panels.append(
                ActivityPanel(
                    row=row,
                    key=key,
                    form=forms.get(
                        key, lambda k=key, a=activity: _activity_form(editor, k, initial=activity_initial(a))
                    )
                    if can_edit and key == open_key
                    else None,
                    plan_form=forms.get(
                        f"plan-{activity.pk}", lambda k=activity.pk: PlannedDateForm(prefix=f"plan-{k}")
                    )
                    if can_edit
                    else None,
                    remove_form=forms.get(
                        f"ta-bort-aktivitet-{activity.pk}",
                        lambda k=activity.pk: ReasonForm(promise=promise, prefix=f"ta-bort-aktivitet-{k}"),
                    )
                    if can_edit
                    else None,
                )
            )
        key = f"fokusomrade-{area.pk}"
        new_key = f"ny-aktivitet-{area.pk}"
        focus_areas.append(
            FocusAreaPanel(
                row=area_row,
                activities=panels,
                key=key,
                new_activity_key=new_key,
                form=forms.get(
                    key,
                    lambda k=key, a=area: _focus_area_form(
                        editor,
                        k,
                        initial={
                            "title": a.title,
                            "description": a.description,
                            "evidence_note": a.evidence_note,
                            "problems": [problem.pk for problem in a.problems.all()],
                        },
                    ),
                )
                if can_edit and key == open_key
                else None,
                new_activity_form=forms.get(
                    new_key, lambda k=new_key, a=area: _activity_form(editor, k, initial={"focus_area": a.pk})
                )
                if can_edit and new_key == open_key
                else None,
                remove_form=forms.get(
                    f"ta-bort-fokusomrade-{area.pk}",
                    lambda k=area.pk: ReasonForm(promise=promise, prefix=f"ta-bort-fokusomrade-{k}"),
                )
                if can_edit
                else None,
            )
        )
    signatories = [
        SignatoryPanel(
            signatory=signatory,
            form=forms.get(
                f"undertecknare-{signatory.pk}",
                lambda s=signatory: _signatory_form(
                    editor,
                    f"undertecknare-{s.pk}",
                    initial={"name": s.name, "role": s.role, "party": s.party_id, "signed_on": s.signed_on},
                ),
            )
            if can_edit
            else None,
            remove_form=forms.get(
                f"ta-bort-undertecknare-{signatory.pk}",
                lambda s=signatory: ReasonForm(promise=promise, prefix=f"ta-bort-undertecknare-{s.pk}"),
            )
            if can_edit
            else None,
        )
        for signatory in editor.signatories
    ]
    summary = [line for form in (bound or {}).values() for line in _summary(form)]
    if publish_form is not None and publish_form.errors:
        summary += _summary(publish_form)
    context = {
        "editor": editor,
        "promise": promise,
        "focus_areas": focus_areas,
        "signatories": signatories,
        "can_edit": can_edit,
        "can_publish": rules.can_publish_promise(request.user, promise),
        "can_copy": rules.can_copy_promise(request.user, promise),
        "open_key": open_key,
        "summary": summary,
        "publish_form": publish_form or PublishForm(),
        "details_form": forms.get("uppgifter", lambda: _details_form(editor)) if can_edit else None,
        "new_signatory_form": forms.get(
            "ny-undertecknare", lambda: _signatory_form(editor, "ny-undertecknare")
        )
        if can_edit
        else None,
        "new_focus_area_form": forms.get(
            "nytt-fokusomrade", lambda: _focus_area_form(editor, "nytt-fokusomrade")
        )
        if can_edit
        else None,
    }
    response = render(request, "promises/staff/promise_detail.html", context)
    response.status_code = status
    return response


def _editor(request: HttpRequest, pk: int) -> PromiseEditor:
    return selectors.promise_editor(user=request.user, pk=pk)


def _editable(request: HttpRequest, pk: int) -> PromiseEditor:
    """The editor of a promise the user may change: 404 in another municipality, 403 in their own without the role."""
    editor = _editor(request, pk)
    if not rules.can_edit_promise(request.user, editor.promise):
        raise PermissionDenied
    return editor


def _back(editor: PromiseEditor, anchor_id: str = "") -> HttpResponseRedirect:
    url = reverse("promises:staff_detail", args=[editor.promise.pk])
    return HttpResponseRedirect(f"{url}#{anchor_id}" if anchor_id else url)


def _call(
    request: HttpRequest, editor: PromiseEditor, key: str, form: Form, call: Any, anchor_id: str
) -> HttpResponse:
    """Run the service with the valid form, or show the page again with the form's errors in place."""
    if form.is_valid():
        try:
            call(form)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _back(editor, anchor_id)
    return _render(request, editor, bound={key: form}, status=400)


# ------------------------------------------------------------------------------------------------ pages


@staff_required
def promise_staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    editor = _editor(request, pk)
    return _render(request, editor, open_key=request.GET.get("andra", ""))


@staff_required
@once_per_form
def promise_new(request: HttpRequest) -> HttpResponse:
    municipalities = municipality_rules.editable_municipalities(request.user).order_by("name")
    choices = [(municipality.pk, municipality.name) for municipality in municipalities]
    if not choices:
        raise PermissionDenied
    form = NewPromiseForm(request.POST or None, municipalities=choices)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                promise = services.promise_create(
                    municipality=municipalities.get(pk=data["municipality"]),
                    by=_user(request),
                    title=data["title"],
                    slug=data["slug"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return HttpResponseRedirect(reverse("promises:staff_detail", args=[promise.pk]))
    response = render(request, "promises/staff/promise_new.html", {"form": form})
    response.status_code = status
    return response


@staff_required
@require_POST
def promise_publish(request: HttpRequest, pk: int) -> HttpResponse:
    editor = _editor(request, pk)
    promise = editor.promise
    if not rules.can_publish_promise(request.user, promise):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.promise_publish(
                promise=promise,
                by=_user(request),
                today=timezone.localdate(),
                confirm_findings=form.cleaned_data["confirm_findings"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(promise.get_absolute_url())
    return _render(request, editor, publish_form=form, status=400)


@staff_required
@require_POST
def promise_details_update(request: HttpRequest, pk: int) -> HttpResponse:
    editor = _editable(request, pk)
    form = _details_form(editor, data=request.POST)
    return _call(
        request,
        editor,
        "uppgifter",
        form,
        lambda form: services.promise_update(
            promise=editor.promise,
            by=_user(request),
            today=timezone.localdate(),
            changes=form.changes(),
            reason=form.reason_text,
        ),
        "uppgifter",
    )


# ----------------------------------------------------------------------------------------- signatories


def _signatory_values(editor: PromiseEditor, form: SignatoryForm) -> dict[str, Any]:
    values = form.changes()
    values["party"] = editor.party(values["party"]) if values.get("party") is not None else None
    return values


@staff_required
@require_POST
@once_per_form
def signatory_add(request: HttpRequest, pk: int) -> HttpResponse:
    editor = _editable(request, pk)
    form = _signatory_form(editor, "ny-undertecknare", data=request.POST)
    return _call(
        request,
        editor,
        "ny-undertecknare",
        form,
        lambda form: services.signatory_add(
            promise=editor.promise,
            by=_user(request),
            today=timezone.localdate(),
            reason=form.reason_text,
            **_signatory_values(editor, form),
        ),
        "undertecknare",
    )


@staff_required
@require_POST
def signatory_update(request: HttpRequest, pk: int, signatory: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = editor.signatory(signatory)
    key = f"undertecknare-{found.pk}"
    form = _signatory_form(editor, key, data=request.POST)
    return _call(
        request,
        editor,
        key,
        form,
        lambda form: services.signatory_update(
            signatory=found,
            by=_user(request),
            today=timezone.localdate(),
            changes=_signatory_values(editor, form),
            reason=form.reason_text,
        ),
        "undertecknare",
    )


@staff_required
@require_POST
def signatory_remove(request: HttpRequest, pk: int, signatory: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = editor.signatory(signatory)
    key = f"ta-bort-undertecknare-{found.pk}"
    form = ReasonForm(request.POST, promise=editor.promise, prefix=key)
    return _call(
        request,
        editor,
        key,
        form,
        lambda form: services.signatory_remove(
            signatory=found, by=_user(request), today=timezone.localdate(), reason=form.reason_text
        ),
        "undertecknare",
    )


# ----------------------------------------------------------------------------------------- focus areas


def _focus_area_values(editor: PromiseEditor, form: FocusAreaForm) -> dict[str, Any]:
    values = form.changes()
    chosen = set(values.get("problems") or [])
    values["problems"] = [problem for problem in editor.problems if problem.pk in chosen]
    return values


def _found_focus_area(editor: PromiseEditor, pk: int) -> Any:
    for row in editor.focus_areas:
        if row.focus_area.pk == pk:
            return row.focus_area
    raise Http404


@staff_required
@require_POST
@once_per_form
def focus_area_add(request: HttpRequest, pk: int) -> HttpResponse:
    editor = _editable(request, pk)
    form = _focus_area_form(editor, "nytt-fokusomrade", data=request.POST)

    def call(form: FocusAreaForm) -> None:
        services.focus_area_create(
            promise=editor.promise,
            by=_user(request),
            today=timezone.localdate(),
            reason=form.reason_text,
            **_focus_area_values(editor, form),
        )

    return _call(request, editor, "nytt-fokusomrade", form, call, "fokusomraden")


@staff_required
@require_POST
def focus_area_update(request: HttpRequest, pk: int, focus_area: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = _found_focus_area(editor, focus_area)
    key = f"fokusomrade-{found.pk}"
    form = _focus_area_form(editor, key, data=request.POST)
    return _call(
        request,
        editor,
        key,
        form,
        lambda form: services.focus_area_update(
            focus_area=found,
            by=_user(request),
            today=timezone.localdate(),
            changes=_focus_area_values(editor, form),
            reason=form.reason_text,
        ),
        key,
    )


@staff_required
@require_POST
def focus_area_remove(request: HttpRequest, pk: int, focus_area: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = _found_focus_area(editor, focus_area)
    key = f"ta-bort-fokusomrade-{found.pk}"
    form = ReasonForm(request.POST, promise=editor.promise, prefix=key)
    return _call(
        request,
        editor,
        key,
        form,
        lambda form: services.focus_area_remove(
            focus_area=found, by=_user(request), today=timezone.localdate(), reason=form.reason_text
        ),
        "fokusomraden",
    )


def _step(request: HttpRequest) -> int:
    direction = request.POST.get("riktning")
    if direction not in ("upp", "ned"):
        raise Http404
    return -1 if direction == "upp" else 1


@staff_required
@require_POST
def focus_area_move(request: HttpRequest, pk: int, focus_area: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = _found_focus_area(editor, focus_area)
    # Only drafts offer the buttons; on a published promise the service asks for a reason.
    services.focus_area_move(
        focus_area=found, by=_user(request), today=timezone.localdate(), step=_step(request)
    )
    return _back(editor, f"fokusomrade-{found.pk}")


# ------------------------------------------------------------------------------------------ activities


def _activity_values(editor: PromiseEditor, form: ActivityForm) -> dict[str, Any]:
    values = form.changes()
    values["focus_area"] = editor.focus_area(values["focus_area"])
    values["responsible_parties"] = [editor.party(party) for party in values["responsible_parties"]]
    values["partners"] = [editor.party(party) for party in values["partners"]]
    values["area"] = editor.area(values["area"])
    return values


@staff_required
@require_POST
@once_per_form
def activity_add(request: HttpRequest, pk: int, focus_area: int) -> HttpResponse:
    editor = _editable(request, pk)
    _found_focus_area(editor, focus_area)
    key = f"ny-aktivitet-{focus_area}"
    form = _activity_form(editor, key, data=request.POST)
    created: list[int] = []

    def call(form: ActivityForm) -> None:
        values = _activity_values(editor, form)
        activity = services.activity_create(
            by=_user(request), today=timezone.localdate(), reason=form.reason_text, **values
        )
        created.append(activity.pk)

    response = _call(request, editor, key, form, call, "")
    if created:
        return _back(editor, f"aktivitet-{created[0]}")
    return response


@staff_required
@require_POST
def activity_update(request: HttpRequest, pk: int, activity: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = editor.activity(activity)
    key = f"aktivitet-{found.pk}"
    form = _activity_form(editor, key, data=request.POST)
    return _call(
        request,
        editor,
        key,
        form,
        lambda form: services.activity_update(
            activity=found,
            by=_user(request),
            today=timezone.localdate(),
            changes=_activity_values(editor, form),
            reason=form.reason_text,
        ),
        key,
    )


@staff_required
@require_POST
def activity_remove(request: HttpRequest, pk: int, activity: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = editor.activity(activity)
    key = f"ta-bort-aktivitet-{found.pk}"
    form = ReasonForm(request.POST, promise=editor.promise, prefix=key)
    return _call(
        request,
        editor,
        key,
        form,
        lambda form: services.activity_remove(
            activity=found, by=_user(request), today=timezone.localdate(), reason=form.reason_text
        ),
        f"fokusomrade-{found.focus_area_id}",
    )


@staff_required
@require_POST
def activity_move(request: HttpRequest, pk: int, activity: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = editor.activity(activity)
    services.activity_move(activity=found, by=_user(request), today=timezone.localdate(), step=_step(request))
    return _back(editor, f"aktivitet-{found.pk}")


@staff_required
@require_POST
@once_per_form
def planned_date_add(request: HttpRequest, pk: int, activity: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = editor.activity(activity)
    key = f"plan-{found.pk}"
    form = PlannedDateForm(request.POST, prefix=key)
    return _call(
        request,
        editor,
        key,
        form,
        lambda form: followup_services.planned_date_add(
            activity=found, by=_user(request), date=form.cleaned_data["date"], note=form.cleaned_data["note"]
        ),
        f"aktivitet-{found.pk}",
    )


@staff_required
@require_POST
def planned_date_remove(request: HttpRequest, pk: int, activity: int, planned: int) -> HttpResponse:
    editor = _editable(request, pk)
    found = editor.activity(activity)
    row = next(row for area in editor.focus_areas for row in area.activities if row.activity.pk == found.pk)
    planned_date = next((date for date in row.planned_dates if date.pk == planned), None)
    if planned_date is None:
        raise Http404
    planned_date.activity = found
    followup_services.planned_date_remove(planned=planned_date, by=_user(request))
    return _back(editor, f"aktivitet-{found.pk}")


# ---------------------------------------------------------------------------------------- yearly cycle


def _carries(form: NextYearForm) -> tuple[list[services.Carry], list[int]]:
    carried, dropped = form.choices()
    result = []
    for activity_id, links in carried.items():
        kinds: dict[str, set[int]] = {"indicator": set(), "category": set(), "meeting": set()}
        for value in links:
            kind, _sep, number = value.partition(":")
            kinds[kind].add(int(number))
        result.append(
            services.Carry(
                activity_id=activity_id,
                indicators=frozenset(kinds["indicator"]),
                report_categories=frozenset(kinds["category"]),
                meetings=frozenset(kinds["meeting"]),
            )
        )
    return result, dropped


@staff_required
def promise_next_year(request: HttpRequest, pk: int) -> HttpResponse:
    editor = _editor(request, pk)
    promise = editor.promise
    if not rules.can_copy_promise(request.user, promise):
        raise PermissionDenied
    activities = [
        (activity, [(link.value, link.label) for link in links])
        for activity, links in selectors.next_year_activities(promise=promise)
    ]
    form = NextYearForm(
        request.POST or None,
        promise=promise,
        activities=activities,
        carry_all=request.GET.get("alla") == "med",
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            carried, dropped = _carries(form)
            data = form.cleaned_data
            try:
                new = services.promise_create_next(
                    promise=promise,
                    by=_user(request),
                    title=data["title"],
                    slug=data["slug"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    carried=carried,
                    dropped=dropped,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return HttpResponseRedirect(reverse("promises:staff_detail", args=[new.pk]))
    response = render(request, "promises/staff/next_year.html", {"promise": promise, "form": form})
    response.status_code = status
    return response


@staff_required
def promise_compare(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """The two years side by side for staff: drafts too, so next year's draft can be compared before publishing."""
    first = selectors.promise_get_for_staff(user=request.user, pk=pk)
    second = selectors.promise_get_for_staff(user=request.user, pk=other)
    if first.pk == second.pk or first.municipality_id != second.municipality_id:
        raise Http404
    earlier, later = sorted([first, second], key=lambda promise: (promise.valid_from, promise.pk))
    today = timezone.localdate()
    rows = followup_selectors.promise_comparison(earlier=earlier, later=later, today=today)
    return render(
        request,
        "followup/compare.html",
        {
            "municipality": earlier.municipality,
            "earlier": earlier,
            "later": later,
            "rows": rows,
            "counts": followup_selectors.comparison_counts(rows),
            "today": date_format(today, "j F Y"),
            "staff": True,
        },
    )
