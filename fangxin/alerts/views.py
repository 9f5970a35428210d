"""Early-warning pages: the staff's warning list and detail with the acknowledge → handle → close actions, the
office's thresholds, and the merchant's prepaid-card declaration (phone first).

Views parse, call one service or selector and render; a domain error becomes a Chinese message on the page.
A page a role may not use answers 404, as for a page that does not exist."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.workbench.decorators import page_for

from . import selectors, services
from .choices import UNCLOSED, WarningStatus
from .flows import ACTION_LABELS, WARNING_FLOW
from .forms import PrepaidForm, SettingsForm, TransitionForm, WarningFilterForm
from .services import SETTING_FIELDS

PAGE_SIZE = 50


def reads_warnings(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS


def is_office(user) -> bool:
    return user.role == Role.JOINT_OFFICE


def reads_settings(user) -> bool:
    return user.role in {Role.JOINT_OFFICE} | AUDIT_READERS


def is_merchant(user) -> bool:
    return user.role == Role.MERCHANT


def _actor(request) -> Actor:
    return Actor.from_request(request)


# --- staff: warnings -------------------------------------------------------------------------------------------

@page_for(reads_warnings)
def warning_list(request):
    data = request.GET.copy()
    data.setdefault("status", "unclosed")  # the default view, also on the pages after the first
    form = WarningFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"status": "unclosed", "kind": "", "severity": ""}
    rows = selectors.warnings_visible(request.user, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = [(WarningStatus(s).label, selectors.warnings_visible(request.user, status=s).count()) for s in UNCLOSED]
    return render(request, "alerts/list.html", {"form": form, "page": page, "counts": counts,
                                                "can_scan": is_office(request.user)})


@require_POST
@page_for(is_office)
def scan_now(request):
    try:
        result = services.scan(actor=_actor(request))
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"扫描完成：新发预警 {len(result.created)} 条，更新仍在办理的预警 "
                                  f"{len(result.refreshed)} 条。")
    return redirect("alerts:list")


def _detail(request, pk: int, *, form: TransitionForm | None = None, status: int = 200):
    warning = selectors.warning_get(request.user, pk)
    can_handle = services.can_handle(request.user, warning) and not warning.is_closed
    actions = [(target, ACTION_LABELS[target]) for target in WarningStatus.values
               if WARNING_FLOW.can(warning.status, target)] if can_handle else []
    return render(request, "alerts/detail.html", {
        "warning": warning, "events": warning.events.all(), "actions": actions,
        "form": form or TransitionForm(auto_id="t-%s"),
        "complaints": selectors.evidence_complaints(request.user, warning)[:50],
        "hidden_evidence": len(warning.evidence) - selectors.evidence_complaints(request.user, warning).count(),
        "read_only": not services.can_handle(request.user, warning)}, status=status)


@page_for(reads_warnings)
def warning_detail(request, pk: int):
    return _detail(request, pk)


@require_POST
@page_for(reads_warnings)
def warning_transition(request, pk: int):
    warning = selectors.warning_get(request.user, pk)
    form = TransitionForm(request.POST, auto_id="t-%s")
    if form.is_valid():
        try:
            services.warning_transition(actor=_actor(request), warning=warning,
                                        to_status=form.cleaned_data["to_status"], note=form.cleaned_data["note"])
        except FangxinError as exc:
            if exc.details.get("field") == "note":
                form.add_error("note", exc.message)
            else:  # the action form may not be on the page any more (closed, or read-only): say it at the top
                messages.error(request, exc.message)
        else:
            target = form.cleaned_data["to_status"]
            messages.success(request, f"已{ACTION_LABELS[target]}：{warning.subject_label}。")
            return redirect("alerts:detail", pk=warning.pk)
    elif "to_status" in form.errors:
        messages.error(request, "请从页面上的按钮选择要执行的处置步骤。")
    return _detail(request, pk, form=form, status=422)


# --- the office: thresholds ------------------------------------------------------------------------------------

@page_for(reads_settings)
def settings_page(request):
    current = services.current_settings()
    can_write = is_office(request.user)
    form = SettingsForm(request.POST if request.method == "POST" and can_write else None, instance=current)
    status = 200
    if request.method == "POST" and can_write:
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in SETTING_FIELDS}
            try:
                services.settings_update(actor=_actor(request), values=values)
            except FangxinError as exc:
                field = exc.details.get("field")
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, "预警阈值已保存，下次扫描起生效。")
                return redirect("alerts:settings")
        status = 422
    return render(request, "alerts/settings.html", {"form": form, "can_write": can_write,
                                                    "settings": services.current_settings()}, status=status)


# --- the merchant: prepaid-card declaration --------------------------------------------------------------------

@page_for(is_merchant)
def prepaid_list(request):
    return render(request, "alerts/prepaid_list.html",
                  {"entities": selectors.merchant_prepaid_entities(request.user)})


@page_for(is_merchant)
def prepaid_declare(request, uscc: str):
    entity = selectors.merchant_prepaid_entity(request.user, uscc)
    form = PrepaidForm(request.POST or None, initial=PrepaidForm.initial_from(entity.scheme))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = services.PrepaidInput(**form.cleaned_data)
            try:
                services.prepaid_declare(actor=_actor(request), entity=entity, data=data)
            except FangxinError as exc:
                field = exc.details.get("field")
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, f"已保存{entity.name}的预付卡申报，公开信息页同步显示。")
                return redirect("alerts:prepaid_list")
        status = 422
    return render(request, "alerts/prepaid_form.html", {"entity": entity, "form": form}, status=status)
