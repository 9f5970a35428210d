"""The merchant's complaint pages: complaints about their own businesses (confirmed bindings only), the
operator-first settlement (offer, or decline and pass it on to the bureau) and the public reply after closing.
The complainant's personal data is always masked here."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import Role
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound
from fangxin.core.workdays import WorkCalendar
from fangxin.workbench.decorators import page_for

from . import deadlines, selectors, services
from .choices import OPERATOR_STAGE, Status
from .forms_merchant import DeclineForm, OfferForm, ReplyForm

PAGE_SIZE = 30


def is_merchant(user) -> bool:
    return user.role == Role.MERCHANT


def _mine(request, tracking_no: str):
    """The complaint if it is about one of the merchant's confirmed businesses; 404 otherwise."""
    complaint = selectors.merchant_complaints(request.user).filter(tracking_no=tracking_no).first()
    if complaint is None:
        raise NotFound("没有找到该投诉。")
    return complaint


def _operator_line(complaint, today, calendar=None):
    """The 10-working-day settlement deadline while the business holds the complaint (None afterwards)."""
    if complaint.status not in OPERATOR_STAGE:
        return None
    lines = deadlines.for_complaint(complaint, today=today, calendar=calendar).lines
    return lines[0] if lines else None


@page_for(is_merchant)
def merchant_list(request):
    rows = selectors.merchant_complaints(request.user).annotate(
        operator_first=Case(When(status__in=OPERATOR_STAGE, then=Value(0)), default=Value(1),
                            output_field=IntegerField())).order_by("operator_first", "-received_on", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today, calendar = timezone.localdate(), WorkCalendar.load()
    for complaint in page:
        complaint.operator_deadline = _operator_line(complaint, today, calendar)
    waiting = selectors.merchant_complaints(request.user).filter(status=Status.OPERATOR).count()
    return render(request, "complaints/merchant/list.html", {"page": page, "waiting": waiting})


def _detail_page(request, complaint, *, offer_form=None, decline_form=None, reply_form=None):
    deadline = _operator_line(complaint, timezone.localdate())
    can_settle = complaint.status == Status.OPERATOR and not (deadline and deadline.overdue)
    can_reply = complaint.is_closed and complaint.consent_publication
    return render(request, "complaints/merchant/detail.html", {
        "complaint": complaint, "deadline": deadline, "timeline": selectors.public_timeline(complaint),
        "can_settle": can_settle, "can_reply": can_reply,
        "offer_form": offer_form or OfferForm(), "decline_form": decline_form or DeclineForm(),
        "reply_form": reply_form or ReplyForm(initial={"text": complaint.business_reply}),
    })


@page_for(is_merchant)
def merchant_detail(request, tracking_no: str):
    return _detail_page(request, _mine(request, tracking_no))


def _act(request, complaint, form, field_map: dict, run, success: str, form_key: str):
    """Validate `form`, call the service; a domain error goes back onto the form, nothing is written."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except FangxinError as exc:
            field = field_map.get(exc.details.get("field"))
            if field not in form.fields:  # not about what was typed (e.g. the status moved on): say so on top
                messages.error(request, exc.message)
                return redirect("complaints:merchant_detail", tracking_no=complaint.tracking_no)
            form.add_error(field, exc.message)
        else:
            messages.success(request, success)
            return redirect("complaints:merchant_detail", tracking_no=complaint.tracking_no)
    return _detail_page(request, _mine(request, complaint.tracking_no), **{form_key: form})


@require_POST
@page_for(is_merchant)
def merchant_offer(request, tracking_no: str):
    complaint = _mine(request, tracking_no)
    form = OfferForm(request.POST)
    deadline = _operator_line(complaint, timezone.localdate())
    if complaint.status == Status.OPERATOR and deadline and deadline.overdue:
        messages.error(request, f"和解期限（{deadline.due.isoformat()}）已过，投诉将转市场监管部门处理。")
        return redirect("complaints:merchant_detail", tracking_no=tracking_no)

    def run(data):
        services.complaint_operator_offer(actor=Actor.from_request(request), complaint=complaint,
                                          settlement_type=data["settlement_type"], amount=data["amount"],
                                          note=data["note"])

    return _act(request, complaint, form, {"settlement_type": "settlement_type", "amount": "amount", "note": "note"},
                run, "和解方案已提交，等待消费者确认。", "offer_form")


@require_POST
@page_for(is_merchant)
def merchant_decline(request, tracking_no: str):
    complaint = _mine(request, tracking_no)
    form = DeclineForm(request.POST)

    def run(data):
        services.complaint_operator_decline(actor=Actor.from_request(request), complaint=complaint,
                                            reason=data["reason"])

    return _act(request, complaint, form, {"reason": "reason"}, run,
                "已告知市场监管部门：本单位无法和解，投诉转监管部门处理。", "decline_form")


@require_POST
@page_for(is_merchant)
def merchant_reply(request, tracking_no: str):
    complaint = _mine(request, tracking_no)
    form = ReplyForm(request.POST)

    def run(data):
        services.complaint_business_reply(actor=Actor.from_request(request), complaint=complaint, text=data["text"])

    return _act(request, complaint, form, {"text": "text"}, run, "公开回复已发布，将与投诉公示一同显示。",
                "reply_form")
