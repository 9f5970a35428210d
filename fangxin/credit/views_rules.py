"""Staff pages: the joint-punishment rules (read by staff and auditors, edited by the joint-meeting office) and the
credit-repair queue with the decision (county staff for their county, the joint-meeting office)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.workbench.decorators import page_for

from . import repair, rules, selectors
from .choices import RepairStatus
from .forms_rules import DecisionForm, RuleForm
from .models import JointRule

READERS = frozenset(STAFF_ROLES | AUDIT_READERS)


def is_reader(user) -> bool:
    return user.role in READERS


def is_editor(user) -> bool:
    return user.role in rules.EDITORS


@page_for(is_reader)
def rule_list(request):
    return render(request, "credit/rules/rules.html", {"rules": selectors.rules_all(),
                                                       "can_edit": is_editor(request.user)})


def _rule_form(request, rule: JointRule | None):
    form = RuleForm(request.POST) if request.method == "POST" else (
        RuleForm.for_rule(rule) if rule else RuleForm(initial={"active": True, "position": 100}))
    error = ""
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            if rule is None:
                saved = rules.rule_create(actor=actor, data=form.data_for_service())
            else:
                saved = rules.rule_update(actor=actor, rule=rule, data=form.data_for_service())
        except FangxinError as exc:
            error = exc.message
        else:
            messages.success(request, f"规则“{saved.name}”已保存，自下一次检查起生效。")
            return redirect("credit:rules")
    return render(request, "credit/rules/rule_form.html", {"form": form, "rule": rule, "error": error})


@page_for(is_editor)
def rule_new(request):
    return _rule_form(request, None)


@page_for(is_editor)
def rule_edit(request, pk: int):
    return _rule_form(request, get_object_or_404(JointRule, pk=pk))


@page_for(is_reader)
def repair_list(request):
    status = request.GET.get("status", RepairStatus.SUBMITTED)
    rows = selectors.repairs_visible(request.user)
    if status in RepairStatus.values:
        rows = rows.filter(status=status)
    return render(request, "credit/rules/repairs.html", {
        "rows": rows[:200], "status": status, "statuses": RepairStatus.choices})


def _repair_detail(request, item, form=None, error=""):
    grade = selectors.grade_of(item.entity)
    return render(request, "credit/rules/repair_detail.html", {
        "item": item, "evidence": item.evidence.all(), "grade": grade,
        "explanation": selectors.explanation_rows(grade), "can_decide": repair.may_decide(request.user, item)
        and item.status == RepairStatus.SUBMITTED, "form": form or DecisionForm(), "error": error})


@page_for(is_reader)
def repair_detail(request, pk: int):
    return _repair_detail(request, selectors.repair_get(request.user, pk))


@require_POST
@page_for(is_reader)
def repair_decide(request, pk: int):
    item = selectors.repair_get(request.user, pk)  # outside the user's scope: 404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _repair_detail(request, item, form=form)
    try:
        repair.repair_decide(actor=Actor.from_request(request), request=item,
                             approve=form.cleaned_data["decision"] == "approve", reason=form.cleaned_data["reason"],
                             document_number=form.cleaned_data["document_number"])
    except FangxinError as exc:
        return _repair_detail(request, selectors.repair_get(request.user, pk), form=form, error=exc.message)
    item.refresh_from_db()
    messages.success(request, f"已决定：{item.get_status_display()}。已通知经营者。")
    return redirect("credit:repair_detail", pk=pk)
