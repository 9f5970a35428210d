"""The consumer's complaint pages (no account, phone first): the web form, tracking with the tracking number and
the last 4 phone digits, the settlement answer, withdrawal and rating, the rights service stations, and the public
disclosure (投诉公示). Personal data is shown masked; disclosed text goes through the `mask_pi` filter."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound, ValidationFailed
from fangxin.merchants.selectors import entity_public_get, entity_public_search

from . import deadlines, idempotency, routing, selectors, services
from .choices import OPERATOR_STAGE, DocumentKind, Kind, Rating, Status
from .flows import flow_for
from .forms_public import (
    ComplaintForm,
    RankingFilterForm,
    RatingForm,
    SettlementForm,
    StationFilterForm,
    TrackForm,
    WithdrawForm,
)
from .models import Complaint

SESSION_TRACKED = "tracked"   # tracking numbers this browser proved it may follow (number + last 4 digits)
SESSION_FILED = "filed"       # tracking numbers filed from this browser (their confirmation page)
SESSION_KEEP = 20
LOOKUP_LIMIT = 8
BAD_PAIR = "投诉编号或手机号后四位不正确。"
CONSUMER_DOCUMENTS = (DocumentKind.ACCEPTANCE, DocumentKind.REFUSAL, DocumentKind.MEDIATION_NOTICE,
                      DocumentKind.END_MEDIATION, DocumentKind.AGREEMENT)


def _remember(request, key: str, tracking_no: str) -> None:
    numbers = [n for n in request.session.get(key, []) if n != tracking_no]
    request.session[key] = ([*numbers, tracking_no])[-SESSION_KEEP:]


def _granted(request, tracking_no: str) -> Complaint | None:
    """The complaint, if this browser has shown its tracking number and last 4 digits (else None)."""
    tracking_no = (tracking_no or "").strip().upper()
    if tracking_no not in request.session.get(SESSION_TRACKED, []):
        return None
    return (Complaint.objects.select_related("region", "rule_set", "entity")
            .filter(tracking_no=tracking_no).first())


def _to_track_form(tracking_no: str):
    return redirect(reverse("complaints:track") + "?no=" + tracking_no)


# --- the complaint form ---------------------------------------------------------------------------------------

def _picked_entity(raw):
    if not raw:
        return None
    return routing.match_entity(uscc="", name="", address="", entity_id=raw)


def _lookup(query: str):
    query = (query or "").strip()[:100]
    if len(query) < 2:
        return query, None
    return query, list(entity_public_search(query=query)[:LOOKUP_LIMIT])


def file_complaint(request):
    # bound on every POST, even an empty one (an empty QueryDict is falsy and would leave the form unbound)
    form = ComplaintForm(request.POST if request.method == "POST" else None)
    picked, file_error, results, query = None, "", None, ""
    if request.method == "GET" and request.GET.get("entity"):
        raw = request.GET["entity"]
        picked = _picked_entity(int(raw)) if raw.isdigit() else None
        if picked is None:
            messages.error(request, "没有找到您要投诉的经营者，请在下面查找或直接填写名称和地址。")
    elif request.method == "POST":
        if request.POST.get("_lookup"):  # the search button without JavaScript: show matches, submit nothing
            query, results = _lookup(request.POST.get("entity_q", ""))
            form = ComplaintForm(initial=request.POST.dict())
        elif form.is_valid():
            picked = _picked_entity(form.cleaned_data["entity"])
            if form.cleaned_data["entity"] and picked is None:
                form.add_error("entity", "所选的经营者不存在，请重新查找或直接填写名称。")
            else:
                try:
                    complaint, created, replayed = idempotency.submit_once(
                        key=idempotency.form_key(request.POST.get(idempotency.TOKEN_FIELD)),
                        submit=lambda: services.complaint_submit(
                            actor=Actor.from_request(request), data=form.to_input(picked), channel="web",
                            files=request.FILES.getlist("files")))
                except ValidationFailed as exc:
                    field = exc.details.get("field")
                    if field == "files":
                        file_error = exc.message
                    else:
                        form.add_error(field if field in form.fields else None, exc.message)
                else:
                    _remember(request, SESSION_FILED, complaint.tracking_no)
                    _remember(request, SESSION_TRACKED, complaint.tracking_no)
                    if replayed:
                        messages.info(request, "这份投诉已经提交过（可能是网络中断后重新提交），下面是那次投诉的编号，"
                                               "没有重复登记。")
                    elif not created:
                        messages.info(request, "您在 10 分钟内提交过相同的投诉，下面是那次投诉的编号，无需重复提交。")
                    return redirect("complaints:filed", tracking_no=complaint.tracking_no)
        else:
            entity_id = form.cleaned_data.get("entity")
            picked = _picked_entity(entity_id) if entity_id else None
    had_files = request.method == "POST" and bool(request.FILES)
    # the one-time token survives a re-shown form (errors, the search button), so its eventual POST stays one
    token = request.POST.get(idempotency.TOKEN_FIELD, "")
    if idempotency.form_key(token) is None:
        token = idempotency.new_form_token()
    return render(request, "complaints/public/file.html", {
        "submission_token": token,
        "form": form, "picked": picked, "file_error": file_error, "had_files": had_files,
        "results": results, "query": query, "max_files": settings.FANGXIN_EVIDENCE_MAX_FILES,
        "max_bytes": settings.FANGXIN_EVIDENCE_MAX_BYTES,
        "max_mb": settings.FANGXIN_EVIDENCE_MAX_BYTES // (1024 * 1024)})


def entity_lookup(request):
    """htmx partial: registry matches by name, as radio buttons to pick one."""
    query, results = _lookup(request.GET.get("entity_q") or request.GET.get("q", ""))
    return render(request, "complaints/public/_entity_results.html", {"results": results, "query": query})


def filed(request, tracking_no: str):
    if tracking_no not in request.session.get(SESSION_FILED, []):
        return _to_track_form(tracking_no)
    complaint = Complaint.objects.filter(tracking_no=tracking_no).first()
    if complaint is None:
        raise Http404
    return render(request, "complaints/public/filed.html", {"complaint": complaint})


# --- tracking --------------------------------------------------------------------------------------------------

def track(request):
    form = TrackForm(request.POST if request.method == "POST" else None,
                     initial={"tracking_no": request.GET.get("no", "")[:20]})
    if request.method == "POST" and form.is_valid():
        try:
            complaint = selectors.track(form.cleaned_data["tracking_no"], form.cleaned_data["last4"])
        except NotFound:
            form.add_error(None, BAD_PAIR)
        else:
            _remember(request, SESSION_TRACKED, complaint.tracking_no)
            return redirect("complaints:track_detail", tracking_no=complaint.tracking_no)
    return render(request, "complaints/public/track.html", {"form": form})


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def deadline_words(line) -> str:
    """The deadline the complaint is waiting on, in the words a consumer reads."""
    if line is None or line.due is None:
        return ""
    due = _cn(line.due)
    if line.paused:
        return f"{line.label}：检测、鉴定期间暂停计算（原定 {due} 前）"
    if line.days_left is None:
        return f"{line.label}：{due} 前"
    if line.days_left < 0:
        return f"{line.label}：应于 {due} 前完成，已超过 {-line.days_left} 个工作日"
    if line.days_left == 0:
        return f"{line.label}：今天（{due}）到期"
    return f"{line.label}：{due} 前（还有 {line.days_left} 个工作日）"


def track_detail(request, tracking_no: str):
    complaint = _granted(request, tracking_no)
    if complaint is None:
        return _to_track_form(tracking_no)
    current = None if complaint.is_closed else deadlines.for_complaint(complaint, today=timezone.localdate()).current
    can_rate = complaint.kind == Kind.COMPLAINT and complaint.is_closed and complaint.rating is None
    return render(request, "complaints/public/track_detail.html", {
        "complaint": complaint,
        "timeline": selectors.public_timeline(complaint),
        "deadline": current, "deadline_text": deadline_words(current),
        "documents": complaint.documents.filter(kind__in=CONSUMER_DOCUMENTS).order_by("issued_on", "id"),
        "offer": complaint.status == Status.OPERATOR_OFFERED,
        "operator_stage": complaint.status in OPERATOR_STAGE,
        "can_withdraw": flow_for(complaint.kind).can(complaint.status, Status.WITHDRAWN),
        "withdraw_form": WithdrawForm(),
        "rating_form": RatingForm() if can_rate else None,
        "rating_label": Rating(complaint.rating).label if complaint.rating else "",
    })


def _act(request, tracking_no: str, form_class, act, success: str):
    """A POST from the tracking page: the grant, the form, one service call, a message, back to the page."""
    complaint = _granted(request, tracking_no)
    if complaint is None:
        return _to_track_form(tracking_no)
    form = form_class(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, first if "请" in first else "提交的内容有误，请重试。")
    else:
        try:
            act(Actor.from_request(request), complaint, form.cleaned_data)
        except FangxinError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, success)
    return redirect("complaints:track_detail", tracking_no=complaint.tracking_no)


@require_POST
def track_settlement(request, tracking_no: str):
    accept = request.POST.get("answer") == "accept"
    return _act(request, tracking_no, SettlementForm,
                lambda actor, complaint, data: services.complaint_settlement_answer(
                    actor=actor, complaint=complaint, accept=data["answer"] == "accept", comment=data["comment"]),
                "您已接受和解方案，投诉办结。欢迎对处理情况作出评价。" if accept
                else "您没有接受和解方案，投诉已转市场监管部门处理，无需重新填写。")


@require_POST
def track_withdraw(request, tracking_no: str):
    return _act(request, tracking_no, WithdrawForm,
                lambda actor, complaint, data: services.complaint_withdraw(
                    actor=actor, complaint=complaint, reason=data["reason"]),
                "投诉已撤回。")


@require_POST
def track_rate(request, tracking_no: str):
    return _act(request, tracking_no, RatingForm,
                lambda actor, complaint, data: services.complaint_rate(
                    actor=actor, complaint=complaint, rating=data["rating"], comment=data["comment"]),
                "感谢您的评价！")


def track_document(request, tracking_no: str, pk: int):
    complaint = _granted(request, tracking_no)
    if complaint is None:
        return _to_track_form(tracking_no)
    document = complaint.documents.filter(pk=pk, kind__in=CONSUMER_DOCUMENTS).first()
    if document is None:
        raise Http404
    try:
        get_template("complaints/document_body.html")
        shared_body = True
    except TemplateDoesNotExist:
        shared_body = False
    return render(request, "complaints/public/document.html", {
        "complaint": complaint, "document": document, "shared_body": shared_body})


# --- stations, ranking, disclosure -----------------------------------------------------------------------------

def stations_public(request):
    form = StationFilterForm(request.GET or None)
    region = form.cleaned_data.get("region", "") if form.is_valid() else ""
    return render(request, "complaints/public/stations.html", {
        "form": form, "stations": selectors.stations(region_code=region).order_by("region__code", "town", "name")})


def ranking(request):
    form = RankingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.ranking(sector_code=filters.get("sector", ""), region_code=filters.get("region", ""))
    start, end = selectors.disclosure_window()
    return render(request, "complaints/public/ranking.html", {"form": form, "rows": rows, "start": start,
                                                              "end": end})


def disclosure(request, uscc: str):
    entity = entity_public_get(uscc)  # NotFound is a 404
    page = Paginator(selectors.disclosed_cases(entity), 20).get_page(request.GET.get("page"))
    return render(request, "complaints/public/disclosure.html", {
        "entity": entity, "counts": selectors.disclosure_counts(entity), "page": page})
