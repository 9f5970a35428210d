"""Every read a user makes of complaints. Pages and the API start from `visible(user)`: out of scope is
the same as missing (404). Personal data is shown only to the staff handling the complaint and the auditor."""

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.core.crypto import blind_index
from fangxin.core.exceptions import NotFound, ValidationFailed
from fangxin.core.workdays import WorkCalendar

from . import deadlines
from .choices import BUREAU_ACCEPTED, CLOSED_STATUSES, SETTLED_STATUSES, Kind, Status
from .models import Complaint, RuleReason, ServiceStation
from .validation import normalise_phone

QUEUES = {
    "mine": "我承办的",
    "unit": "本单位待办",
    "due_soon": "2 个工作日内到期",
    "overdue": "已逾期",
    "operator": "经营者和解中",
    "closed": "已办结",
    "all": "全部",
}


def visible(user) -> QuerySet[Complaint]:
    return Complaint.objects.visible_to(user).select_related("region", "sector", "department", "entity", "rule_set",
                                                             "assignee")


def get_for(user, tracking_no: str) -> Complaint:
    complaint = visible(user).filter(tracking_no=tracking_no).first()
    if complaint is None:
        raise NotFound("没有找到该投诉。")
    return complaint


def can_see_personal(user, complaint: Complaint) -> bool:
    """Handling staff: the assignee, the county bureau that has it, or the handling department's staff."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.AUDITOR:
        return True
    if complaint.assignee_id and complaint.assignee_id == user.pk:
        return True
    if user.role == Role.COUNTY_STAFF and user.region_id == complaint.region_id:
        return True
    if user.role == Role.DEPARTMENT_STAFF and complaint.department_id and user.department_id == complaint.department_id:
        return complaint.region.path.startswith(user.region.path) if user.region_id else False
    return False


def _with_deadlines(complaints, today: date) -> list[Complaint]:
    calendar = WorkCalendar.load()
    rows = list(complaints)
    for complaint in rows:
        complaint.deadlines = deadlines.for_complaint(complaint, today=today, calendar=calendar)
        complaint.current_deadline = complaint.deadlines.current
    return rows


def filter_rows(rows: QuerySet[Complaint], filters: dict | None) -> QuerySet[Complaint]:
    """The queue's filters: status, county (a region code), sector code, channel, text (tracking no, business or
    the complainant's full phone number)."""
    filters = filters or {}
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("region"):
        rows = rows.filter(region__code=filters["region"])
    if filters.get("sector"):
        rows = rows.filter(sector__code=filters["sector"])
    if filters.get("channel"):
        rows = rows.filter(channel=filters["channel"])
    text = (filters.get("q") or "").strip()
    if text:
        match = Q(tracking_no__iexact=text) | Q(business_name__icontains=text)
        phone = _as_phone(text)
        if phone:  # the phone is sealed: an exact match through its blind index (docs/privacy.md)
            match |= Q(complainant_phone_index=blind_index(phone, "complainant_phone"))
        rows = rows.filter(match)
    return rows


def _as_phone(text: str) -> str:
    try:
        return normalise_phone(text)
    except ValidationFailed:
        return ""


def queue(user, which: str, *, today: date | None = None, limit: int = 200, filters: dict | None = None
          ) -> list[Complaint]:
    """A work queue. Deadline queues are computed from the stored dates (never from a job having run)."""
    today = today or timezone.localdate()
    base = filter_rows(visible(user), filters)
    if which == "mine":
        rows = base.open().filter(assignee=user)
    elif which == "unit":
        rows = base.open().exclude(status__in=(Status.OPERATOR, Status.OPERATOR_OFFERED))
    elif which == "operator":
        rows = base.filter(status__in=(Status.OPERATOR, Status.OPERATOR_OFFERED))
    elif which == "closed":
        rows = base.closed()
    elif which in ("due_soon", "overdue"):
        candidates = _with_deadlines(base.open().order_by("received_on", "id")[:5000], today)
        pick = (lambda line: line and line.due_soon) if which == "due_soon" else (lambda line: line and line.overdue)
        return [c for c in candidates if pick(c.current_deadline)][:limit]
    else:
        rows = base
    return _with_deadlines(rows.order_by("-received_on", "-id")[:limit], today)


def queue_counts(user, *, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    base = visible(user)
    open_rows = _with_deadlines(base.open()[:5000], today)
    return {
        "mine": base.open().filter(assignee=user).count(),
        "unit": base.open().exclude(status__in=(Status.OPERATOR, Status.OPERATOR_OFFERED)).count(),
        "due_soon": sum(1 for c in open_rows if c.current_deadline and c.current_deadline.due_soon),
        "overdue": sum(1 for c in open_rows if c.current_deadline and c.current_deadline.overdue),
        "operator": base.filter(status__in=(Status.OPERATOR, Status.OPERATOR_OFFERED)).count(),
        "closed": base.closed().count(),
        "all": base.count(),
    }


def overdue_complaints(*, today: date) -> list[Complaint]:
    rows = Complaint.objects.open().select_related("region", "rule_set", "department").order_by("id")
    return [c for c in _with_deadlines(rows.iterator(), today) if c.current_deadline and c.current_deadline.overdue]


def detail(user, tracking_no: str, *, today: date | None = None) -> Complaint:
    complaint = get_for(user, tracking_no)
    complaint.deadlines = deadlines.for_complaint(complaint, today=today or timezone.localdate())
    return complaint


def reasons(complaint: Complaint, kind: str) -> QuerySet[RuleReason]:
    return RuleReason.objects.filter(rule_set=complaint.rule_set, kind=kind).order_by("number")


def track(tracking_no: str, phone_last4: str) -> Complaint:
    """The consumer's view: tracking number + last 4 phone digits; a wrong pair is simply 'not found'."""
    tracking_no = (tracking_no or "").strip().upper()
    last4 = (phone_last4 or "").strip()
    # Letters and digits only: anything else (a NUL, which PostgreSQL refuses) cannot be a number we issued.
    if not tracking_no.isalnum() or len(last4) != 4 or not last4.isdigit():
        raise NotFound("投诉编号或手机号后四位不正确。")
    complaint = (Complaint.objects.select_related("region", "rule_set", "entity").filter(tracking_no=tracking_no)
                 .first())
    if complaint is None or complaint.complainant_phone[-4:] != last4:
        raise NotFound("投诉编号或手机号后四位不正确。")
    return complaint


def public_timeline(complaint: Complaint):
    return complaint.events.filter(public=True).order_by("at", "id")


def merchant_complaints(user) -> QuerySet[Complaint]:
    """Complaints about the merchant's own confirmed entities (masked personal data in templates)."""
    return visible(user).filter(kind=Kind.COMPLAINT)


def staff_stations(user, *, region_code: str = "") -> QuerySet[ServiceStation]:
    """Stations in the user's region, active or not (the staff registry page)."""
    rows = ServiceStation.objects.visible_to(user).select_related("region")
    if region_code:
        rows = rows.filter(region__code=region_code)
    return rows


def station_get(user, pk: int) -> ServiceStation:
    station = ServiceStation.objects.visible_to(user).filter(pk=pk).first()
    if station is None:
        raise NotFound("没有找到该维权服务站。")
    return station


def outbox(user, *, status: str = "") -> QuerySet:
    """Notifications about complaints the user can see (the auditor and administrator: all), newest first."""
    from fangxin.core.models import Notification

    rows = Notification.objects.all()
    if user.role not in (Role.AUDITOR, Role.SYSADMIN):
        rows = rows.filter(object_type="complaint", object_id__in=visible(user).values("tracking_no"))
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def stations(*, region_code: str = "") -> QuerySet[ServiceStation]:
    rows = ServiceStation.objects.filter(is_active=True).select_related("region")
    if region_code:
        rows = rows.filter(region__code=region_code)
    return rows


# --- public disclosure (投诉公示) --------------------------------------------------------------------------------

def disclosure_window(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=365), today


def disclosure_counts(entity, *, today: date | None = None) -> dict:
    """Per business over the last 12 months: received, accepted, settled, mediation success and
    operator-settlement rates (national complaint-publication rules)."""
    start, end = disclosure_window(today)
    rows = Complaint.objects.filter(entity=entity, kind=Kind.COMPLAINT, received_on__gt=start, received_on__lte=end)
    agg = rows.aggregate(
        received=Count("id"),
        accepted=Count("id", filter=Q(status__in=BUREAU_ACCEPTED) | Q(status=Status.OPERATOR_SETTLED)),
        settled=Count("id", filter=Q(status__in=SETTLED_STATUSES)),
        mediated=Count("id", filter=Q(status__in=(Status.AGREEMENT, Status.MEDIATION_ENDED, Status.REFERRED))
                       & Q(accepted_on__isnull=False)),
        agreements=Count("id", filter=Q(status=Status.AGREEMENT)),
        operator_routed=Count("id", filter=Q(operator_started_on__isnull=False)
                              & Q(status__in=CLOSED_STATUSES | {Status.RECEIVED, Status.ACCEPTED, Status.MEDIATING,
                                                                Status.TESTING})),
        operator_settled=Count("id", filter=Q(status=Status.OPERATOR_SETTLED)),
    )
    agg["mediation_success_rate"] = _rate(agg["agreements"], agg["mediated"])
    agg["operator_settlement_rate"] = _rate(agg["operator_settled"], agg["operator_routed"])
    agg["start"], agg["end"] = start, end
    return agg


def disclosed_cases(entity, *, today: date | None = None) -> QuerySet[Complaint]:
    """Closed complaints whose complainant consented to publication (text masked by the template layer)."""
    start, end = disclosure_window(today)
    return (Complaint.objects.filter(entity=entity, kind=Kind.COMPLAINT, consent_publication=True,
                                     status__in=CLOSED_STATUSES, received_on__gt=start, received_on__lte=end)
            .order_by("-closed_on", "-id"))


def ranking(*, sector_code: str = "", region_code: str = "", today: date | None = None, limit: int = 50):
    """Businesses ranked by complaints received in the last 12 months, in a sector and county."""
    start, end = disclosure_window(today)
    rows = Complaint.objects.filter(kind=Kind.COMPLAINT, entity__isnull=False, received_on__gt=start,
                                    received_on__lte=end)
    if sector_code:
        rows = rows.filter(sector__code=sector_code)
    if region_code:
        rows = rows.filter(region__path__contains=f"/{region_code}/")
    return list(rows.values("entity__uscc", "entity__name", "entity__region__name")
                .annotate(received=Count("id"), settled=Count("id", filter=Q(status__in=SETTLED_STATUSES)))
                .order_by("-received", "entity__name")[:limit])


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None
