"""The county evaluation (督导评价) formula.

Every indicator is a share v in [0, 1] computed from the platform's own records for the county and the year
(`measure`). It is normalised to 0–100 against the scheme's target t:  s = 100 × min(1, v ÷ t)  — reaching the
target earns full marks. The county's score is the weighted mean over the indicators that have data:
score = Σ wᵢ·sᵢ ÷ Σ wᵢ (weights in points, summing to 100 in a scheme); an indicator without data (no complaint,
no task due, no warning) is left out rather than counted as 0 or 100, so a county is neither punished nor
rewarded for having had nothing to handle. Counties are ranked by score, highest first; equal scores (to two
decimals) share a rank ("1, 1, 3") and are listed by region code.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from .choices import Indicator

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Weighted:
    code: str
    weight: int
    target: Decimal


@dataclass(frozen=True)
class Part:
    code: str
    label: str
    weight: int
    target: Decimal
    value: float | None          # the share measured, None when there was nothing to measure
    numerator: int
    denominator: int
    score: Decimal | None        # 0–100

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "weight": self.weight, "target": str(self.target),
                "value": self.value, "numerator": self.numerator, "denominator": self.denominator,
                "score": None if self.score is None else str(self.score)}


@dataclass
class Row:
    region_id: int
    county_code: str
    county: str
    score: Decimal
    parts: list[Part] = field(default_factory=list)
    rank: int = 0

    @property
    def breakdown(self) -> list[dict]:
        return [p.as_dict() for p in self.parts]


def normalise(value: float | None, target: Decimal) -> Decimal | None:
    """s = 100 × min(1, v ÷ t), two decimals; None stays None."""
    if value is None:
        return None
    share = min(Decimal(1), max(Decimal(0), Decimal(str(value)) / Decimal(target)))
    return (share * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_score(parts: list[tuple[int, Decimal | None]]) -> Decimal:
    """Σ wᵢ·sᵢ ÷ Σ wᵢ over the parts with a score; 0 when none has one."""
    scored = [(w, s) for w, s in parts if s is not None and w > 0]
    total = sum(w for w, _ in scored)
    if not total:
        return Decimal("0.00")
    return (sum(Decimal(w) * s for w, s in scored) / Decimal(total)).quantize(CENT, rounding=ROUND_HALF_UP)


def rank(rows: list[Row]) -> list[Row]:
    """Highest score first, ties by region code; equal scores share the rank (standard competition ranking)."""
    ordered = sorted(rows, key=lambda r: (-r.score, r.county_code))
    previous, previous_rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row.score != previous:
            previous, previous_rank = row.score, position
        row.rank = previous_rank
    return ordered


def _share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


# --- measuring from the records --------------------------------------------------------------------------------

def period(year: int, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return date(year, 1, 1), min(date(year, 12, 31), today)


def measure(county, year: int, *, today: date | None = None) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of every indicator for one county and year."""
    from fangxin.alerts.choices import WarningStatus
    from fangxin.alerts.models import Warning
    from fangxin.campaign.choices import CURRENT_STATUSES
    from fangxin.campaign.models import Enrollment
    from fangxin.campaign.titles.choices import TitleStatus
    from fangxin.campaign.titles.models import Title
    from fangxin.complaints.metrics import complaint_metrics
    from fangxin.merchants.choices import OperatingStatus
    from fangxin.merchants.models import MarketEntity

    from .choices import AssignmentStatus
    from .models import Assignment

    today = today or timezone.localdate()
    start, end = period(year, today)
    within = Q(region__path__startswith=county.path)
    businesses = MarketEntity.objects.filter(within, operating_status=OperatingStatus.OPERATING).count()
    enrolled = (Enrollment.objects.filter(entity__region__path__startswith=county.path, status__in=CURRENT_STATUSES,
                                          signed_at__date__lte=end)
                .values("entity_id").distinct().count())
    titled = (Title.objects.filter(entity__region__path__startswith=county.path, status=TitleStatus.VALID,
                                   year__lte=year).values("entity_id").distinct().count())
    metrics = complaint_metrics(start=start, end=end, region=county, today=today)
    due = Assignment.objects.filter(within, task__due_on__range=(start, min(end, today)))
    on_time = sum(1 for a in due.select_related("task") if a.status == AssignmentStatus.DONE
                  and a.submitted_on is not None and a.submitted_on <= a.task.due_on)
    warnings = Warning.objects.filter(within, detected_on__range=(start, end))
    closed = warnings.filter(status=WarningStatus.CLOSED).count()
    return {
        Indicator.ENROLLMENT_COVERAGE: (enrolled, businesses),
        Indicator.TITLE_COVERAGE: (titled, businesses),
        Indicator.HANDLING_RATE: (metrics.closed, metrics.accepted),
        Indicator.SUCCESS_RATE: (metrics.settled, metrics.closed),
        Indicator.SATISFACTION_RATE: (metrics.satisfied, metrics.ratings),
        Indicator.TIMELINESS: (max(0, metrics.received - metrics.overdue), metrics.received),
        Indicator.TASKS_ON_TIME: (on_time, due.count()),
        Indicator.WARNINGS_CLOSED: (closed, warnings.count()),
    }


def score_county(county, weights: list[Weighted], measured: dict[str, tuple[int, int]]) -> Row:
    labels = dict(Indicator.choices)
    parts = []
    for w in weights:
        numerator, denominator = measured.get(w.code, (0, 0))
        value = _share(numerator, denominator)
        parts.append(Part(code=w.code, label=str(labels.get(w.code, w.code)), weight=w.weight, target=w.target,
                          value=value, numerator=numerator, denominator=denominator,
                          score=normalise(value, w.target)))
    return Row(region_id=county.pk, county_code=county.code, county=county.name,
               score=weighted_score([(p.weight, p.score) for p in parts]), parts=parts)


def compute(counties, weights: list[Weighted], year: int, *, today: date | None = None) -> list[Row]:
    return rank([score_county(c, weights, measure(c, year, today=today)) for c in counties])
