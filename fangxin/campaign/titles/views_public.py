"""The public pages of the demonstration titles (no account, phone first): the publicity notices (公示) with the
candidates, their agreed scores and the standard they were measured against; objections with private contact
details and one evidence file; the objector's look-up of the answer; and the revocation announcements (公告)."""

from django.shortcuts import render
from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound

from . import selectors, services
from .forms_public import LookupForm, ObjectionForm

BAD_PAIR = "异议编号或手机号后四位不正确。"
# what a service's ValidationFailed names (details["field"]) → the form's field
OBJECTION_FIELDS = {"complainant_phone": "contact_phone", "files": "evidence"}


def publicity_list(request):
    current = list(selectors.current_publicities())
    current_ids = {p.pk for p in current}
    recent = [p for p in selectors.publicities_recent() if p.pk not in current_ids]
    return render(request, "campaign/titles/public/publicity_list.html", {"current": current, "recent": recent})


def publicity_detail(request, pk: int):
    publicity = selectors.publicity_public_get(pk)  # not started yet or missing: 404
    today = timezone.localdate()
    candidates = list(selectors.publicity_candidates(publicity).select_related("entity__region"))
    running = publicity.starts_on <= today <= publicity.ends_on
    standards = {}
    for candidate in candidates:
        if candidate.standard_id not in standards:
            standards[candidate.standard_id] = selectors.standard_summary(candidate.standard)
        candidate.objection_open = running and selectors.objection_open(candidate, today)
    return render(request, "campaign/titles/public/publicity_detail.html", {
        "publicity": publicity, "candidates": candidates, "running": running, "ended": today > publicity.ends_on,
        "standards": list(standards.values())})


def objection_new(request, application_pk: int):
    application = selectors.objection_target(application_pk)  # never published: 404
    is_open = selectors.objection_open(application)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and is_open and form.is_valid():
        data = form.cleaned_data
        try:
            objection = services.objection_file(
                actor=Actor.from_request(request), application=application, name=data["name"],
                contact_phone=data["contact_phone"], content=data["content"], evidence=data["evidence"])
        except FangxinError as exc:
            field = OBJECTION_FIELDS.get(exc.details.get("field"))
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            return render(request, "campaign/titles/public/objection_filed.html",
                          {"objection": objection, "application": application})
    return render(request, "campaign/titles/public/objection_new.html", {
        "application": application, "is_open": is_open, "form": form,
        "had_file": request.method == "POST" and bool(request.FILES)})


def objection_lookup(request):
    form = LookupForm(request.POST or None, initial={"reference_no": request.GET.get("no", "")[:20]})
    objection = None
    if request.method == "POST" and form.is_valid():
        try:
            objection = selectors.objection_lookup(form.cleaned_data["reference_no"], form.cleaned_data["last4"])
        except NotFound:
            form.add_error(None, BAD_PAIR)
    return render(request, "campaign/titles/public/objection_lookup.html", {"form": form, "objection": objection})


def announcements(request):
    return render(request, "campaign/titles/public/announcements.html",
                  {"announcements": selectors.announcements()})
