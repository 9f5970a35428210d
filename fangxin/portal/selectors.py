"""What the portal home reads from other capabilities: public, city-wide aggregates only."""

from django.db.models import Sum
from django.utils import timezone

from fangxin.campaign.titles import selectors as title_selectors
from fangxin.stats.models import Rollup, Source

HEADLINE_MEASURES = ("received", "accepted", "closed", "ratings", "satisfied")


def statistics_headline(year: int | None = None) -> dict:
    """This year's complaints received, 处理率 and 满意率 city-wide, from the rollups (O(groups), no personal data)."""
    year = year or timezone.localdate().year
    rows = (Rollup.objects.filter(source=Source.COMPLAINT, period__year=year, measure__in=HEADLINE_MEASURES)
            .values("measure").annotate(total=Sum("value")))
    parts = dict.fromkeys(HEADLINE_MEASURES, 0) | {row["measure"]: row["total"] or 0 for row in rows}
    return {"year": year, "received": parts["received"],
            "handling_rate": parts["closed"] / parts["accepted"] if parts["accepted"] else None,
            "satisfaction_rate": parts["satisfied"] / parts["ratings"] if parts["ratings"] else None}


def running_publicities(limit: int = 3):
    """Demonstration-title candidate lists under publicity today (the public may object to them)."""
    return list(title_selectors.current_publicities()[:limit])
