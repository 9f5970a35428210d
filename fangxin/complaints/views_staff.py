"""The staff workbench pages of complaint handling: work queues, staff entry with triage pre-fill, the complaint
page with its action forms, documents, evidence, metrics, the service-station registry and the outbox.

Views parse, call one service or selector and render. Every action posts to `action`, which looks the action up
in ACTIONS; a domain error becomes a message on the complaint page (never a 500)."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core import audit, notify, uploads
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, PermissionDenied
from fangxin.organisation.models import Department, Sector
from fangxin.workbench.decorators import page_for

from . import document_render, exports, metrics, selectors, services, triage_bridge
from .choices import OPERATOR_STAGE, Channel, Kind, Status
from .flows import flow_for
from .forms_staff import (
    PROBLEM_TYPE_LABELS,
    AgreementForm,
    AssignForm,
    ClassificationForm,
    EndMediationForm,
    MediationSessionForm,
    MediationStartForm,
    MetricsFilterForm,
    NoteForm,
    OutboxFilterForm,
    QueueFilterForm,
    ReferForm,
    RefuseForm,
    ReportDecideForm,
    StaffEntryForm,
    StationFilterForm,
    StationForm,
    TestingStartForm,
    TransferForm,
    WithdrawForm,
)
from .routing import lead_department

QUEUE_LIMIT = 500
EXPORT_LIMIT = 20000
PAGE_SIZE = 25


def is_staff(user) -> bool:
    return user.role in STAFF_ROLES


def staff_or_auditor(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS


def _actor(request) -> Actor:
    return Actor.from_request(request)


# --- queue ------------------------------------------------------------------------------------------------------

def _queue_params(request):
    which = request.GET.get("tab") or ("unit" if is_staff(request.user) else "all")
    if which not in selectors.QUEUES:
        which = "unit"
    form = QueueFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    return which, form, filters


@page_for(staff_or_auditor)
def queue(request):
    which, form, filters = _queue_params(request)
    rows = selectors.queue(request.user, which, filters=filters, limit=QUEUE_LIMIT)
    counts = selectors.queue_counts(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("tab", None)
    tabs = [{"key": key, "label": label, "count": counts.get(key), "current": key == which}
            for key, label in selectors.QUEUES.items()]
    return render(request, "complaints/staff/queue.html", {
        "form": form, "tabs": tabs, "which": which, "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "truncated": len(rows) >= QUEUE_LIMIT, "limit": QUEUE_LIMIT, "filter_query": query.urlencode(),
        "can_write": is_staff(request.user), "all_personal": request.user.role == Role.AUDITOR,
    })


@page_for(staff_or_auditor)
def export(request):
    which, _form, filters = _queue_params(request)
    rows = selectors.queue(request.user, which, filters=filters, limit=EXPORT_LIMIT)
    personal = request.GET.get("personal") == "1"
    if personal:
        allowed = request.user.role == Role.AUDITOR and all(selectors.can_see_personal(request.user, c) for c in rows)
        if not allowed:
            messages.error(request, "只有能查看全部投诉人个人信息的用户（审计员）可以导出含个人信息的表格。")
            return redirect(f"{_url('complaints:queue')}?{request.GET.urlencode()}")
        with transaction.atomic():
            audit.record(actor=_actor(request), action="complaints.export_personal", object_type="complaints.complaint",
                         object_repr=f"投诉导出（{len(rows)} 条，含个人信息）",
                         changes={"queue": [None, which], "filters": [None, filters],
                                  "tracking_nos": [None, [c.tracking_no for c in rows]]})
    return exports.complaints_xlsx_response(rows, include_personal=personal)


def _url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


# --- staff entry and triage pre-fill ------------------------------------------------------------------------

def _suggestion_view(suggestion: dict) -> dict | None:
    """The triage suggestion in words staff read: sector and department names, problem-type labels."""
    if not suggestion or not suggestion.get("sector"):
        return None
    sector = Sector.objects.filter(code=suggestion.get("sector")).first()
    department = suggestion.get("department")
    department_name = ""
    if department:
        found = Department.objects.filter(code=str(department)).first()
        department_name = found.name if found else str(department)
    elif sector is not None:
        lead = lead_department(sector)
        department_name = lead.name if lead else ""
    evidence = suggestion.get("evidence") or []
    words = []
    for item in evidence if isinstance(evidence, list | tuple) else [evidence]:
        words.append(item.get("word") or item.get("text") or str(item) if isinstance(item, dict) else str(item))
    confidence = suggestion.get("confidence")
    try:
        confidence = float(confidence) if confidence is not None else None
    except (TypeError, ValueError):
        confidence = None
    return {"sector": sector.name if sector else suggestion.get("sector"), "department": department_name,
            "problem_types": [PROBLEM_TYPE_LABELS.get(p, p) for p in suggestion.get("problem_types") or []],
            "confidence": confidence, "evidence": words}


def _classification_context(form: ClassificationForm, suggestion: dict | None = None, asked: bool = False) -> dict:
    code = form["sector"].value() or ""
    sector = Sector.objects.filter(code=code).first() if code else None
    lead = lead_department(sector)
    return {"classification": form, "department_name": lead.name if lead else "", "suggestion": suggestion,
            "asked": asked}


@page_for(is_staff)
def staff_new(request):
    form = StaffEntryForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        station = (selectors.staff_stations(request.user).filter(pk=data["station"]).first()
                   if data.get("channel") == Channel.STATION and data.get("station") else None)
        entry = services.ComplaintInput(
            complainant_name=data["complainant_name"], complainant_phone=data["complainant_phone"],
            business_name=data["business_name"], item=data["item"], description=data["description"],
            demand=data.get("demand") or "", region_code=data.get("region_code") or "",
            complainant_email=data.get("complainant_email") or "",
            complainant_address=data.get("complainant_address") or "", business_uscc=data.get("business_uscc") or "",
            complainant_id_number=data.get("complainant_id_number") or "",
            business_address=data.get("business_address") or "", platform_name=data.get("platform_name") or "",
            purchased_on=data.get("purchased_on"), amount=data.get("amount") or None,
            consent_publication=data.get("consent_publication", False),
            consent_mediation=data.get("consent_mediation", False), kind=data["kind"],
            sector_code=data.get("sector") or "", problem_types=data.get("problem_types") or [],
            received_on=data["received_on"])
        try:
            complaint, created = services.complaint_submit(actor=_actor(request), data=entry, channel=data["channel"],
                                                           files=data.get("files") or [], station=station)
        except FangxinError as exc:
            field = exc.details.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            what = complaint.get_kind_display()
            if created:
                messages.success(request, f"{what}已登记，编号 {complaint.tracking_no}。")
            else:
                messages.info(request, f"10 分钟内已登记过相同的{what}，编号 {complaint.tracking_no}。")
            if selectors.visible(request.user).filter(pk=complaint.pk).exists():
                return redirect("complaints:detail", tracking_no=complaint.tracking_no)
            messages.info(request, f"按管辖规则，该{what}由{complaint.region.name}办理。")
            return redirect("complaints:queue")
    return render(request, "complaints/staff/new.html", {"form": form, **_classification_context(form)})


@require_POST
@page_for(is_staff)
def triage_prefill(request):
    """htmx: the classification fieldset, re-rendered with the triage suggestion (or with the chosen sector's
    lead department when only the sector changed)."""
    if request.POST.get("mode") == "sector":
        form = ClassificationForm(request.POST)
        return render(request, "complaints/staff/_classification.html", _classification_context(form))
    text = "。".join(request.POST.get(name, "").strip() for name in ("business_name", "item", "description", "demand"))
    suggestion = triage_bridge.suggest(text) if request.POST.get("description", "").strip() else {}
    shown = _suggestion_view(suggestion)
    if shown:
        initial = {"sector": suggestion.get("sector") or "",
                   "problem_types": [p for p in suggestion.get("problem_types") or [] if p in PROBLEM_TYPE_LABELS]}
        form = ClassificationForm(initial=initial)
    else:
        form = ClassificationForm(request.POST)
    return render(request, "complaints/staff/_classification.html", _classification_context(form, shown, asked=True))


# --- the complaint page ------------------------------------------------------------------------------------------

@dataclass
class Action:
    label: str
    form: Any
    run: Any            # (actor, complaint, cleaned_data) -> result
    done: str           # success message
    needs_complaint: bool = False


def _run_refuse(actor, c, d):
    return services.complaint_refuse(actor=actor, complaint=c, reason_number=d["reason"], note=d.get("note") or "")


def _run_transfer(actor, c, d):
    return services.complaint_transfer(actor=actor, complaint=c, reason=d["reason"], region_code=d.get("region") or "",
                                       department_id=int(d["department"]) if d.get("department") else None)


def _run_assign(actor, c, d):
    from fangxin.accounts.models import User

    assignee = User.objects.filter(pk=d["assignee"]).first() if d.get("assignee") else None
    return services.complaint_assign(actor=actor, complaint=c, assignee=assignee)


ACTIONS = {
    "classify": Action("确认分类", ClassificationForm,
                       lambda a, c, d: services.complaint_classify(actor=a, complaint=c, sector_code=d.get("sector") or "",
                                                                    problem_types=d.get("problem_types") or []),
                       "分类已确认，承办部门已按行业更新。"),
    "assign": Action("指派承办人", AssignForm, _run_assign, "承办人已更新。", needs_complaint=True),
    "accept": Action("受理", NoteForm,
                     lambda a, c, d: services.complaint_accept(actor=a, complaint=c, note=d.get("note") or ""),
                     "已受理，受理决定书已生成，已通知投诉人和经营者。"),
    "refuse": Action("不予受理", RefuseForm, _run_refuse, "已作出不予受理决定，决定书已生成并告知投诉人。",
                     needs_complaint=True),
    "transfer": Action("分送", TransferForm, _run_transfer, "已分送，分送通知书已生成。", needs_complaint=True),
    "escalate": Action("转入受理", NoteForm, lambda a, c, d: services.complaint_escalate(actor=a, complaint=c),
                       "经营者逾期未和解，投诉已转入本单位待受理。"),
    "mediation_start": Action("组织调解", MediationStartForm,
                              lambda a, c, d: services.complaint_mediation_start(actor=a, complaint=c, **d),
                              "调解通知书已生成，已通知双方。"),
    "mediation_session": Action("记录调解", MediationSessionForm,
                                lambda a, c, d: services.complaint_mediation_session_record(actor=a, complaint=c, **d),
                                "调解记录已保存。"),
    "testing_start": Action("委托检测鉴定", TestingStartForm,
                            lambda a, c, d: services.complaint_testing_start(actor=a, complaint=c, note=d["note"]),
                            "已委托检测鉴定，调解期限暂停计算。"),
    "testing_end": Action("检测鉴定结束", NoteForm,
                          lambda a, c, d: services.complaint_testing_end(actor=a, complaint=c, note=d.get("note") or ""),
                          "检测鉴定已结束，调解期限继续计算。"),
    "agreement": Action("调解成功", AgreementForm,
                        lambda a, c, d: services.complaint_agreement(
                            actor=a, complaint=c, settlement_type=d["settlement_type"], terms=d["terms"],
                            recovered_amount=d.get("recovered_amount") or None,
                            advance_compensation=d.get("advance_compensation") or None),
                        "调解成功，调解书已生成。"),
    "mediation_end": Action("终止调解", EndMediationForm,
                            lambda a, c, d: services.complaint_mediation_end(actor=a, complaint=c, ground_number=d["ground"],
                                                                             note=d.get("note") or "",
                                                                             business_refused=d.get("business_refused", False)),
                            "已终止调解，终止调解决定书已生成。", needs_complaint=True),
    "refer": Action("诉调对接", ReferForm,
                    lambda a, c, d: services.complaint_refer(actor=a, complaint=c, destination=d["destination"],
                                                             body_name=d["body_name"], on=d["on"]),
                    "已移交，诉调对接已记录。"),
    "withdraw": Action("撤回投诉", WithdrawForm,
                       lambda a, c, d: services.complaint_withdraw(actor=a, complaint=c, reason=d.get("reason") or ""),
                       "投诉已撤回。"),
    "report_decide": Action("作出立案决定", ReportDecideForm,
                            lambda a, c, d: services.report_decide(actor=a, complaint=c, open_case=d["open_case"],
                                                                   note=d["note"]),
                            "立案决定已作出，告知书已生成。"),
}


def available_actions(complaint) -> list[str]:
    """The actions the complaint's state allows now (the services check again)."""
    allowed = flow_for(complaint.kind).allowed(complaint.status)
    names = []
    if not complaint.is_closed:
        names += ["classify", "assign"]
    if complaint.status in (Status.RECEIVED, Status.REPORT_RECEIVED):
        names.append("transfer")
    if complaint.status in OPERATOR_STAGE and services.operator_overdue(complaint):
        names.append("escalate")
    if Status.ACCEPTED in allowed:
        names.append("accept")
    if Status.REFUSED in allowed:
        names.append("refuse")
    if complaint.status == Status.ACCEPTED:
        names.append("mediation_start")
    if complaint.status in (Status.ACCEPTED, Status.MEDIATING):
        names.append("mediation_session")
    if Status.TESTING in allowed:
        names.append("testing_start")
    if complaint.status == Status.TESTING:
        names.append("testing_end")
    if Status.AGREEMENT in allowed:
        names.append("agreement")
    if Status.MEDIATION_ENDED in allowed:
        names.append("mediation_end")
    if Status.REFERRED in allowed:
        names.append("refer")
    if Status.WITHDRAWN in allowed:
        names.append("withdraw")
    if Status.CASE_OPENED in allowed:
        names.append("report_decide")
    return names


def _action_form(name: str, complaint, data=None):
    """The action's form; each has its own prefix, so the many forms on one page have distinct field ids."""
    spec = ACTIONS[name]
    kwargs = {"complaint": complaint} if spec.needs_complaint else {}
    kwargs["prefix"] = name
    if data is not None:
        return spec.form(data, **kwargs)
    today = timezone.localdate().isoformat()
    initial = {
        "classify": {"sector": complaint.sector.code if complaint.sector else "",
                     "problem_types": complaint.problem_types},
        "assign": {"assignee": str(complaint.assignee_id or "")},
        "mediation_start": {"held_on": today}, "mediation_session": {"held_on": today}, "refer": {"on": today},
    }.get(name)
    return spec.form(initial=initial, **kwargs) if initial else spec.form(**kwargs)


def _detail_context(request, complaint, personal: dict | None = None) -> dict:
    can_write = is_staff(request.user)
    names = available_actions(complaint) if can_write else []
    forms = [{"name": n, "label": ACTIONS[n].label, "form": _action_form(n, complaint)}
             for n in names if n not in ("classify", "assign")]
    suggestion = _suggestion_view(complaint.triage_suggestion or {})
    events = list(complaint.events.order_by("at", "id"))
    labels = dict(Status.choices)
    for event in events:
        event.from_label, event.to_label = labels.get(event.from_status, ""), labels.get(event.to_status, "")
    return {
        "complaint": complaint, "deadlines": complaint.deadlines, "can_write": can_write,
        "can_see_personal": selectors.can_see_personal(request.user, complaint), "personal": personal,
        "events": events, "sessions": complaint.mediation_sessions.all(),
        "documents": complaint.documents.all(), "files": complaint.files.all(),
        "problem_labels": [PROBLEM_TYPE_LABELS.get(p, p) for p in complaint.problem_types or []],
        "suggestion": suggestion, "action_forms": forms,
        "classify_form": _action_form("classify", complaint) if "classify" in names else None,
        "assign_form": _action_form("assign", complaint) if "assign" in names else None,
        "flow_targets": [flow_for(complaint.kind).label(s) for s in sorted(flow_for(complaint.kind).allowed(complaint.status))],
        "is_report": complaint.kind == Kind.REPORT,
    }


@page_for(staff_or_auditor)
def detail(request, tracking_no: str):
    complaint = selectors.detail(request.user, tracking_no)  # NotFound is a 404
    return render(request, "complaints/staff/detail.html", _detail_context(request, complaint))


@require_POST
@page_for(is_staff)
def action(request, tracking_no: str, action: str):
    complaint = selectors.get_for(request.user, tracking_no)  # NotFound is a 404
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = _action_form(action, complaint, request.POST)
    if not form.is_valid():
        errors = [(f"{form.fields[field].label}：{e}" if field in form.fields else str(e))
                  for field, field_errors in form.errors.items() for e in field_errors]
        messages.error(request, f"{spec.label}：" + "；".join(errors))
        return redirect("complaints:detail", tracking_no=tracking_no)
    try:
        spec.run(_actor(request), complaint, form.cleaned_data)
    except FangxinError as exc:
        messages.error(request, f"{spec.label}未完成：{exc.message}")
    else:
        messages.success(request, spec.done)
    if not selectors.visible(request.user).filter(pk=complaint.pk).exists():
        return redirect("complaints:queue")  # transferred out of the user's scope
    return redirect("complaints:detail", tracking_no=tracking_no)


@require_POST
@page_for(staff_or_auditor)
def personal(request, tracking_no: str):
    complaint = selectors.detail(request.user, tracking_no)
    try:
        data = services.complaint_personal_view(actor=_actor(request), complaint=complaint)
    except PermissionDenied as exc:
        messages.error(request, exc.message)
        return redirect("complaints:detail", tracking_no=tracking_no)
    context = _detail_context(request, complaint, personal=data)
    if request.headers.get("HX-Request"):
        return render(request, "complaints/staff/_complainant.html", context)
    return render(request, "complaints/staff/detail.html", context)


def _document(request, tracking_no: str, pk: int):
    complaint = selectors.get_for(request.user, tracking_no)
    document = complaint.documents.filter(pk=pk).first()
    if document is None:
        raise Http404
    return complaint, document


@page_for(staff_or_auditor)
def document(request, tracking_no: str, pk: int):
    complaint, doc = _document(request, tracking_no, pk)
    masked = not selectors.can_see_personal(request.user, complaint)
    return render(request, "complaints/staff/document.html", {
        "complaint": complaint, "document": doc, "document_text": document_render.content(doc, masked=masked),
        "masked": masked})


@page_for(staff_or_auditor)
def document_pdf(request, tracking_no: str, pk: int):
    complaint, doc = _document(request, tracking_no, pk)
    masked = not selectors.can_see_personal(request.user, complaint)
    response = HttpResponse(document_render.render_pdf(doc, masked=masked), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{complaint.tracking_no}-{doc.kind}-{doc.pk}.pdf"'
    return response


@page_for(staff_or_auditor)
def evidence(request, tracking_no: str, pk: int):
    complaint = selectors.get_for(request.user, tracking_no)
    stored = complaint.files.filter(pk=pk).first()
    if stored is None:
        raise Http404
    return uploads.serve(stored.file, content_type=stored.content_type, filename=stored.original_name)


# --- metrics ---------------------------------------------------------------------------------------------------

# The definitions of metrics.py's docstring (DESIGN 4), in the words staff read under the table.
DEFINITIONS = (
    "统计对象：收到日期在统计期内、在所选范围内的投诉（不含举报）。",
    "受理：经市场监管部门受理的投诉，以及由经营者先行和解办结的投诉（经营者和解计为受理）。",
    "办结：已受理且已办结的投诉（调解成功、终止调解、诉调对接、受理后撤回、经营者和解）。",
    "处理率 = 办结数 ÷ 受理数；处理成功率 = 和解或调解成功数（经营者和解、调解成功）÷ 办结数。",
    "满意率 = 评价为 4 分或 5 分的数量 ÷ 作出评价的数量（未评价的不计入）。",
    "纠纷解决在经营者 = 经营者和解数 ÷ 办结数；挽回经济损失为统计对象的合计。",
    "办结用时中位数：已办结的投诉自收到至办结的工作日数的中位数。",
    "逾期未办结：统计对象中尚未办结、当前期限在今天已过的投诉。",
)


@page_for(staff_or_auditor)
def metrics_page(request):
    form = MetricsFilterForm(request.GET or None, user=request.user)
    start, end = form.period()
    result = metrics.complaint_metrics(start=start, end=end, queryset=selectors.visible(request.user), **form.scope())
    return render(request, "complaints/staff/metrics.html", {
        "form": form, "m": result, "start": start, "end": end, "definitions": DEFINITIONS})


# --- service stations -------------------------------------------------------------------------------------------

@page_for(is_staff)
def stations(request):
    form = StationFilterForm(request.GET or None, user=request.user)
    region = form.cleaned_data.get("region", "") if form.is_valid() else ""
    rows = selectors.staff_stations(request.user, region_code=region)
    return render(request, "complaints/staff/stations.html", {
        "form": form, "page": Paginator(rows, 50).get_page(request.GET.get("page"))})


def _station_form(request, station=None):
    initial = {}
    if station is not None:
        initial = {"region": station.region.code, "town": station.town, "name": station.name, "host": station.host,
                   "address": station.address, "hours": station.hours, "contact_phone": station.contact_phone,
                   "is_active": station.is_active}
    elif getattr(request.user, "region", None) is not None and request.user.region.level == "county":
        initial = {"region": request.user.region.code, "is_active": True}
    form = StationForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.station_save(actor=_actor(request), station=station, **form.cleaned_data)
        except FangxinError as exc:
            field = exc.details.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, f"维权服务站“{saved.name}”已保存。")
            return redirect("complaints:stations")
    return render(request, "complaints/staff/station_form.html", {"form": form, "station": station})


@page_for(is_staff)
def station_new(request):
    return _station_form(request)


@page_for(is_staff)
def station_edit(request, pk: int):
    return _station_form(request, selectors.station_get(request.user, pk))


# --- outbox ---------------------------------------------------------------------------------------------------

@page_for(staff_or_auditor)
def outbox(request):
    form = OutboxFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    page = Paginator(selectors.outbox(request.user, status=status), 50).get_page(request.GET.get("page"))
    numbers = {n.object_id for n in page if n.object_type == "complaint"}
    visible = set(selectors.visible(request.user).filter(tracking_no__in=numbers).values_list("tracking_no", flat=True))
    return render(request, "complaints/staff/outbox.html", {
        "form": form, "page": page, "visible": visible, "can_retry": is_staff(request.user),
        "show_recipient": request.user.role in AUDIT_READERS})


@require_POST
@page_for(is_staff)
def outbox_retry(request):
    sent, failed = notify.retry_failed()
    if sent or failed:
        messages.success(request, f"已重试：成功 {sent} 条，仍失败 {failed} 条。")
    else:
        messages.info(request, "没有需要重试的通知。")
    return redirect("complaints:outbox")
