"""Complaint metrics (DESIGN 4) for a period and scope; the statistics capability builds on this.

Cohort: complaints (not reports) *received* in [start, end], in the scope given. Over that cohort:
- accepted  = reached bureau acceptance, or were settled by the business (operator-settled counts as accepted);
- closed    = accepted ones that are now closed (agreement, ended mediation, referral, withdrawal after
              acceptance, operator settlement);
- 处理率     = closed ÷ accepted;  处理成功率 = settled (operator settlement or mediation agreement) ÷ closed;
- 满意率     = ratings of 4 or 5 ÷ ratings given (unrated complaints do not count);
- operator-settled share = operator-settled ÷ closed; recovered amount = sum over the cohort;
- median working days to close = over closed ones, working days from receipt to closing;
- overdue = open complaints of the cohort whose current deadline has passed on `today`.
"""

import statistics
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from fangxin.core.workdays import WorkCalendar

from . import deadlines
from .choices import BUREAU_ACCEPTED, CLOSED_STATUSES, SETTLED_STATUSES, Kind, Status
from .models import Complaint

ACCEPTED_Q = Q(status__in=BUREAU_ACCEPTED) | Q(status=Status.OPERATOR_SETTLED) | (
    Q(status=Status.WITHDRAWN) & Q(accepted_on__isnull=False))
CLOSED_ACCEPTED = (CLOSED_STATUSES - {Status.REFUSED, Status.CASE_OPENED, Status.CASE_NOT_OPENED})


@dataclass
class Metrics:
    received: int
    accepted: int
    closed: int
    settled: int
    operator_settled: int
    ratings: int
    satisfied: int
    recovered_amount: Decimal
    median_workdays_to_close: float | None
    overdue: int
    handling_rate: float | None       # 处理率
    success_rate: float | None        # 处理成功率
    satisfaction_rate: float | None   # 满意率
    operator_share: float | None      # 纠纷解决在经营者

    def as_dict(self) -> dict:
        data = asdict(self)
        data["recovered_amount"] = str(self.recovered_amount)
        return data


def cohort(*, start: date, end: date, region=None, sector=None, department=None, queryset=None):
    rows = (queryset if queryset is not None else Complaint.objects.all()).filter(
        kind=Kind.COMPLAINT, received_on__gte=start, received_on__lte=end)
    if region is not None:
        rows = rows.filter(region__path__startswith=region.path)
    if sector is not None:
        rows = rows.filter(sector=sector)
    if department is not None:
        rows = rows.filter(department=department)
    return rows


def complaint_metrics(*, start: date, end: date, region=None, sector=None, department=None, queryset=None,
                      today: date | None = None) -> Metrics:
    today = today or timezone.localdate()
    rows = cohort(start=start, end=end, region=region, sector=sector, department=department, queryset=queryset)
    closed_q = ACCEPTED_Q & Q(status__in=CLOSED_ACCEPTED)
    agg = rows.aggregate(
        received=Count("id"), accepted=Count("id", filter=ACCEPTED_Q), closed=Count("id", filter=closed_q),
        settled=Count("id", filter=Q(status__in=SETTLED_STATUSES)),
        operator_settled=Count("id", filter=Q(status=Status.OPERATOR_SETTLED)),
        ratings=Count("id", filter=Q(rating__isnull=False)), satisfied=Count("id", filter=Q(rating__gte=4)),
        recovered=Sum("recovered_amount"))
    calendar = WorkCalendar.load()
    spans = [calendar.workdays_between(received, closed)
             for received, closed in rows.filter(closed_q).values_list("received_on", "closed_on") if closed]
    open_rows = rows.exclude(status__in=CLOSED_STATUSES).select_related("rule_set")
    overdue = sum(1 for c in open_rows.iterator()
                  if (line := deadlines.for_complaint(c, today=today, calendar=calendar).current) and line.overdue)
    return Metrics(
        received=agg["received"], accepted=agg["accepted"], closed=agg["closed"], settled=agg["settled"],
        operator_settled=agg["operator_settled"], ratings=agg["ratings"], satisfied=agg["satisfied"],
        recovered_amount=Decimal(agg["recovered"] or 0).quantize(Decimal("0.01")),
        median_workdays_to_close=float(statistics.median(spans)) if spans else None, overdue=overdue,
        handling_rate=_rate(agg["closed"], agg["accepted"]), success_rate=_rate(agg["settled"], agg["closed"]),
        satisfaction_rate=_rate(agg["satisfied"], agg["ratings"]),
        operator_share=_rate(agg["operator_settled"], agg["closed"]))


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None
