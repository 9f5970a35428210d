"""The merchant's own credit pages (phone first): each business's grade, score and model version with the
explanation (the events that moved it and by how much, list caps, repaired events), grade history, list entries,
and credit repair — asking with evidence and following the decision."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from fangxin.accounts.choices import Role
from fangxin.core import uploads
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.merchants import selectors as entity_selectors
from fangxin.workbench.decorators import page_for

from . import repair, selectors
from .forms_rules import RepairForm


def is_merchant(user) -> bool:
    return user.role == Role.MERCHANT


@page_for(is_merchant)
def my_credit(request):
    return render(request, "credit/merchant/credit.html", {"rows": selectors.merchant_credit(request.user)})


def _limits() -> dict:
    return {"max_files": settings.FANGXIN_EVIDENCE_MAX_FILES,
            "max_mb": settings.FANGXIN_EVIDENCE_MAX_BYTES // (1024 * 1024)}


@page_for(is_merchant)
def repair_new(request, uscc: str):
    entity = entity_selectors.entity_get(user=request.user, uscc=uscc)  # not the merchant's own: 404
    repairable = list(repair.repairable_events(entity)) + list(repair.repairable_entries(entity))
    initial = {"target": request.GET.get("target", "")}
    form = RepairForm(repairable, request.POST or None, initial=initial)
    error, had_files = "", request.method == "POST" and bool(request.FILES)
    if request.method == "POST" and form.is_valid():
        try:
            created = repair.repair_submit(actor=Actor.from_request(request), entity=entity,
                                           statement=form.cleaned_data["statement"],
                                           files=request.FILES.getlist("files"), **form.target_kwargs())
        except FangxinError as exc:
            error = exc.message
        else:
            messages.success(request, f"信用修复申请已提交（第 {created.pk} 号），等待市场监管部门决定，结果会通知您。")
            return redirect(f"{reverse('credit:my_credit')}#repair-{created.pk}")
    return render(request, "credit/merchant/repair_new.html", {
        "entity": entity, "form": form, "error": error, "had_files": had_files, "nothing": not repairable,
        **_limits()})


@page_for(lambda user: user.role in (Role.MERCHANT, Role.COUNTY_STAFF, Role.DEPARTMENT_STAFF, Role.JOINT_OFFICE,
                                     Role.CONSUMER_ASSOCIATION, Role.AUDITOR, Role.SYSADMIN))
def repair_evidence(request, pk: int, file_pk: int):
    """An evidence file of a repair request, for the business and the staff in scope (else 404)."""
    stored = selectors.repair_get(request.user, pk).evidence.filter(pk=file_pk).first()
    if stored is None:
        raise Http404
    return uploads.serve(stored.file, content_type=stored.content_type, filename=stored.original_name)
