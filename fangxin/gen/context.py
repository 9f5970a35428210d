"""What every batch needs to know: the fixed run parameters and the reference rows, loaded once per run."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from fangxin.organisation.models import Region, Sector

from . import regions as region_table
from .scales import Scale


@dataclass
class Ids:
    """The first primary key of each generated table (fixed when a run starts, kept for --resume)."""

    entity: int
    enrollment: int
    enrollment_event: int
    enrollment_commitment: int
    credit_event: int          # the businesses' own events (3 keys each), then the complaints' (2 each)
    credit_complaint: int
    complaint: int
    complaint_event: int
    complaint_document: int
    mediation_session: int
    credit_grade: int
    grade_history: int
    # titles (added later: a run started before them has none, so they default to 0 and are filled on resume)
    application: int = 0
    application_event: int = 0
    title: int = 0
    credit_title: int = 0        # after the complaints' credit events: one key per business
    # draws (likewise)
    plan: int = 0
    plan_department: int = 0
    plan_county: int = 0
    draw: int = 0
    inspection: int = 0
    inspection_stride: int = 0


@dataclass
class Context:
    seed: int
    scale: Scale
    today: date
    ids: Ids
    counties: list[Region]
    sectors: list[Sector]
    county_weights: list[int] = field(default_factory=list)
    county_cum: list[int] = field(default_factory=list)

    def __post_init__(self):
        self.county_weights = [region_table.weight(c) for c in self.counties]
        total, self.county_cum = 0, []
        for w in self.county_weights:
            total += w
            self.county_cum.append(total)
        self.city_names = {c.pk: (c.parent.name if c.parent_id else "") for c in self.counties}

    def rng(self, *parts) -> random.Random:
        """A generator for one (family, batch) or one entity: string seeds hash the same in every process."""
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))


def aware(day: date, minutes: int) -> datetime:
    """A time in working hours on the day, in the site's zone (zoneinfo: attaching the zone is exact)."""
    return datetime.combine(day, time(8 + minutes // 60 % 10, minutes % 60), tzinfo=timezone.get_default_timezone())


def load_context(*, seed: int, scale: Scale, today: date, ids: Ids) -> Context:
    counties = list(Region.objects.filter(code__in=[c for c, _n, level, _p in region_table.tree(scale.regions)
                                                    if level == "county"]).select_related("parent__parent").order_by("code"))
    sectors = list(Sector.objects.order_by("seq"))
    return Context(seed=seed, scale=scale, today=today, ids=ids, counties=counties, sectors=sectors)
