"""Demonstration titles (放心消费示范单位) held by about 15 % of the active enrollments: county level most, some city,
few region, awarded in the last three finished years. Each title gets the rows a valid title needs — its year's
cycle (made once per run, closed), an awarded application against the published standard of its sector and level
with its timeline (提交申报, 授牌), the title with its certificate, and the TITLE_AWARDED credit event the award
service records — so the profile page and badge verification show it (`titles.selectors.title_status_of`).

Minimal on purpose: no reviews, publicity notices or objections (the titles demo walks those through the services);
a city or region title is generated alone, without the lower-level title that preceded it."""

from datetime import date, timedelta

from fangxin.campaign.choices import EnrollmentStatus
from fangxin.campaign.models import Enrollment
from fangxin.campaign.titles.choices import ApplicationStatus, CycleStatus, TitleLevel, TitleStatus
from fangxin.campaign.titles.models import Application, ApplicationEvent, Cycle, Standard, Title
from fangxin.credit.choices import EventKind

from .context import Context, aware

# About 15 % of active enrollments hold a title. Only about half can: the sector needs a published standard (其他
# has none, ~21 % of businesses) and the enrollment must predate the last finished year's awards (enrollments go
# back three years, so ~38 % are too recent). Hence 30 % of the eligible ones (a test checks the overall share).
ELIGIBLE_SHARE = 0.30
LEVEL_WEIGHTS = [(TitleLevel.COUNTY, 80), (TitleLevel.CITY, 16), (TitleLevel.REGION, 4)]
YEARS = 3                     # titles of the last three finished years
EVENT_STRIDE = 2              # application-event keys per business: submit, award
PREFIX = {TitleLevel.COUNTY: "X", TitleLevel.CITY: "S", TitleLevel.REGION: "Z"}
AUTHORITY = "放心消费创建工作联席会议办公室"
APPLICATION_FIELDS = ["id", "cycle", "entity", "enrollment", "level", "region", "standard", "status", "self_scores",
                      "self_total", "statement", "agreed_score", "submitted_by", "decided_on", "created_at",
                      "updated_at"]
EVENT_FIELDS = ["id", "application", "at", "action", "label", "from_status", "to_status", "actor_name", "note"]
TITLE_FIELDS = ["id", "entity", "application", "level", "year", "region", "name", "certificate_no", "awarded_on",
                "valid_until", "status", "revoked_reason", "created_at", "updated_at"]
CREDIT_FIELDS = ["id", "entity", "kind", "occurred_on", "detail", "source_ref", "document_number", "authority",
                 "recorded_at", "repairs"]


def years(today: date) -> list[int]:
    return list(range(today.year - YEARS, today.year))


def ensure_cycles(today: date) -> dict[int, int]:
    """The cycle of each title year (an existing one is kept; a missing one is made closed, with the usual
    calendar). Made before the batches, so every batch refers to the same keys."""
    by_year = {}
    for year in years(today):
        cycle = Cycle.objects.filter(year=year).first()
        if cycle is None:
            cycle = Cycle.objects.create(
                year=year, status=CycleStatus.CLOSED, applications_open=date(year, 3, 1),
                applications_close=date(year, 5, 31), county_review_by=date(year, 7, 31),
                city_review_by=date(year, 9, 30), region_review_by=date(year, 11, 30),
                closed_at=aware(date(year, 12, 18), 480))
        by_year[year] = cycle.pk
    return by_year


def standards() -> dict[tuple[int, str], int]:
    """The published standard of each (sector, level); sectors without one (其他) get no titles."""
    return {(sector, level): pk for pk, sector, level in
            Standard.objects.published().values_list("pk", "sector_id", "level")}


class TitleMaker:
    def __init__(self, ctx: Context, *, cycles: dict[int, int], standard_ids: dict):
        self.ctx, self.cycles, self.standard_ids = ctx, cycles, standard_ids
        self.counties = {c.pk: c for c in ctx.counties}

    def batch(self, start: int, stop: int, out: dict) -> None:
        """Titles for the active enrollments of the businesses with indexes [start, stop) (one range query)."""
        ids = self.ctx.ids
        rows = (Enrollment.objects.filter(entity_id__gte=ids.entity + start, entity_id__lt=ids.entity + stop,
                                          status=EnrollmentStatus.ACTIVE)
                .values_list("pk", "entity_id", "entity__region_id", "entity__sector_id", "signed_name",
                             "badge_issued_on").order_by("entity_id"))
        for enrollment, entity_id, region_id, sector_id, signer, signed_on in rows:
            self.one(entity_id - ids.entity, enrollment, entity_id, self.counties[region_id], sector_id, signer,
                     signed_on, out)

    def one(self, index, enrollment, entity_id, county, sector_id, signer, signed_on, out) -> None:
        ctx, ids = self.ctx, self.ctx.ids
        rng = ctx.rng("title", index)
        level = rng.choices([lv for lv, _w in LEVEL_WEIGHTS], weights=[w for _lv, w in LEVEL_WEIGHTS])[0]
        standard = self.standard_ids.get((sector_id, level))
        first = max(signed_on + timedelta(days=90), date(ctx.today.year - YEARS, 1, 1))
        last = date(ctx.today.year - 1, 12, 31)
        if rng.random() >= ELIGIBLE_SHARE or standard is None or first > last:
            return  # not chosen, no standard for the sector, or enrolled too recently to have been awarded
        awarded_on = first + timedelta(days=rng.randint(0, (last - first).days))
        year = awarded_on.year
        region = {TitleLevel.COUNTY: county, TitleLevel.CITY: county.parent}.get(level, county.parent.parent)
        submitted = max(signed_on, awarded_on - timedelta(days=rng.randint(60, 150)))
        decided = min(awarded_on, submitted + timedelta(days=rng.randint(20, 50)))
        total = round(rng.uniform(88.0, 98.0), 1)
        pk = ids.application + index
        submitted_at, awarded_at = aware(submitted, rng.randint(0, 540)), aware(awarded_on, 120)
        out["title_application"].append((
            pk, self.cycles[year], entity_id, enrollment, level, region.pk, standard, ApplicationStatus.AWARDED, {},
            total, f"对照评价标准逐项自评，申请{TitleLevel(level).label}放心消费示范单位。", total, signer, decided,
            submitted_at, awarded_at))
        event = ids.application_event + index * EVENT_STRIDE
        out["title_event"].append((event, pk, submitted_at, "submit", "提交申报", "", ApplicationStatus.SUBMITTED,
                                   signer, ""))
        out["title_event"].append((event + 1, pk, awarded_at, "award", "授牌", ApplicationStatus.PUBLICITY,
                                   ApplicationStatus.AWARDED, AUTHORITY, ""))
        valid_until = date(year + 1, 12, 31)
        status = TitleStatus.VALID if valid_until >= ctx.today else TitleStatus.EXPIRED
        name = f"{year}年度{region.name}放心消费示范单位"
        # the index after a "G" keeps the number unique and apart from the award service's 4-digit counter
        certificate = f"FXSF{year}{PREFIX[level]}{region.code}G{index}"
        title = ids.title + index
        out["title"].append((title, entity_id, pk, level, year, region.pk, name, certificate, awarded_on,
                             valid_until, status, "", awarded_at, awarded_at))
        out["credit"].append((ids.credit_title + index, entity_id, EventKind.TITLE_AWARDED, awarded_on,
                              f"获得{name}称号（证书编号 {certificate}）", f"title:{title}:award", "", AUTHORITY,
                              awarded_at, None))


MODELS = {
    "title_application": (Application, APPLICATION_FIELDS),
    "title_event": (ApplicationEvent, EVENT_FIELDS),
    "title": (Title, TITLE_FIELDS),
}
