"""Reads of the demonstration-title workflow: what each user may see, public lists and coverage."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.core.exceptions import NotFound, ValidationFailed

from ..choices import EnrollmentStatus
from ..models import Enrollment
from .choices import (
    LEVEL_ORDER,
    ApplicationStatus,
    CaseStatus,
    ItemKind,
    ObjectionStatus,
    StandardStatus,
    TitleLevel,
    TitleStatus,
    previous_level,
)
from .models import Announcement, Application, ManagementCase, Objection, Publicity, Standard, Title


def applications_visible(user) -> QuerySet[Application]:
    return Application.objects.visible_to(user).select_related("cycle", "entity", "entity__sector", "region",
                                                               "standard")


def application_get(user, pk: int) -> Application:
    application = applications_visible(user).filter(pk=pk).first()
    if application is None:
        raise NotFound("没有找到该申报。")
    return application


def review_queue(user) -> QuerySet[Application]:
    """Applications waiting for this user's sign-off (lead department or consumer association)."""
    rows = applications_visible(user).filter(status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.REVIEWING))
    if user.role == Role.DEPARTMENT_STAFF:
        rows = rows.filter(entity__sector__lead_departments=user.department_id).exclude(
            reviews__role="lead_department")
    elif user.role == Role.CONSUMER_ASSOCIATION:
        rows = rows.exclude(reviews__role="association")
    return rows.order_by("cycle__year", "level", "id")


def standards(*, sector=None, level: str = "", include_drafts: bool = False) -> QuerySet[Standard]:
    rows = Standard.objects.select_related("sector", "owner").prefetch_related("items")
    if not include_drafts:
        rows = rows.filter(status=StandardStatus.PUBLISHED)
    if sector is not None:
        rows = rows.filter(sector=sector)
    if level:
        rows = rows.filter(level=level)
    return rows


def current_publicities(today=None) -> QuerySet[Publicity]:
    today = today or timezone.localdate()
    return (Publicity.objects.filter(starts_on__lte=today, ends_on__gte=today).select_related("cycle", "region")
            .order_by("-starts_on"))


def publicity_candidates(publicity: Publicity) -> QuerySet[Application]:
    return (publicity.candidates.filter(status__in=(ApplicationStatus.PUBLICITY, ApplicationStatus.AWARDED,
                                                    ApplicationStatus.REMOVED))
            .select_related("entity", "entity__sector", "standard").order_by("-agreed_score", "entity__name"))


def objection_lookup(reference_no: str, phone_last4: str) -> Objection:
    """The objector sees the answer with the reference number and the last 4 digits of the phone."""
    objection = Objection.objects.select_related("application__entity").filter(
        reference_no=(reference_no or "").strip().upper()).first()
    if objection is None or objection.contact_phone[-4:] != (phone_last4 or "").strip():
        raise NotFound("异议编号或手机号后四位不正确。")
    return objection


def valid_titles(entity) -> QuerySet[Title]:
    return Title.objects.filter(entity=entity, status=TitleStatus.VALID,
                                valid_until__gte=timezone.localdate()).order_by("-year", "-level")


def title_status_of(uscc: str) -> list[dict]:
    """For banks and procurement offices (policy 五(三)): the valid titles a USCC holds, level and year."""
    today = timezone.localdate()
    rows = Title.objects.filter(entity__uscc=(uscc or "").strip().upper()).select_related("region")
    return [{"name": t.name, "level": t.level, "level_label": t.get_level_display(), "year": t.year,
             "region": t.region.name, "certificate_no": t.certificate_no, "awarded_on": t.awarded_on,
             "valid_until": t.valid_until,
             "status": TitleStatus.EXPIRED if t.status == TitleStatus.VALID and t.valid_until < today else t.status}
            for t in rows.order_by("-year")]


def announcements(limit: int = 50) -> QuerySet[Announcement]:
    return Announcement.objects.select_related("entity").order_by("-published_on", "-id")[:limit]


def open_cases(user) -> QuerySet[ManagementCase]:
    return ManagementCase.objects.visible_to(user).filter(status=CaseStatus.OPEN).select_related("entity")


def coverage_of(*, region, sector=None, year: int) -> Decimal | None:
    """Share of enrolled units in the region (and sector) that hold a valid title of that year."""
    enrolled = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, entity__region__path__startswith=region.path)
    titled = Title.objects.filter(status=TitleStatus.VALID, year=year, entity__region__path__startswith=region.path)
    if sector is not None:
        enrolled, titled = enrolled.filter(entity__sector=sector), titled.filter(entity__sector=sector)
    base = enrolled.count()
    if not base:
        return None
    return (Decimal(titled.values("entity").distinct().count()) / base).quantize(Decimal("0.0001"))


def coverage_table(*, year: int, counties, sectors) -> list[dict]:
    """Titles ÷ enrolled units, sector × county, in two grouped queries."""
    enrolled = {(r["entity__region"], r["entity__sector"]): r["n"] for r in Enrollment.objects.filter(
        status=EnrollmentStatus.ACTIVE).values("entity__region", "entity__sector").annotate(n=Count("id"))}
    titled = {(r["entity__region"], r["entity__sector"]): r["n"] for r in Title.objects.filter(
        status=TitleStatus.VALID, year=year).values("entity__region", "entity__sector").annotate(
        n=Count("entity", distinct=True))}
    table = []
    for county in counties:
        cells = []
        for sector in sectors:
            base, got = enrolled.get((county.pk, sector.pk), 0), titled.get((county.pk, sector.pk), 0)
            cells.append({"sector": sector, "enrolled": base, "titled": got,
                          "coverage": (Decimal(got) / base).quantize(Decimal("0.0001")) if base else None})
        total_base = sum(c["enrolled"] for c in cells)
        total_got = sum(c["titled"] for c in cells)
        table.append({"county": county, "cells": cells, "enrolled": total_base, "titled": total_got,
                      "coverage": (Decimal(total_got) / total_base).quantize(Decimal("0.0001")) if total_base else None})
    return table


def unanswered_objections(publicity: Publicity) -> int:
    return Objection.objects.filter(application__publicity=publicity, status="pending").count()


# --- the merchant's application pages and the public pages ---------------------------------------------------

def recommendation_for(entity, level: str, cycle) -> Application | None:
    """The passed application at the level below in this cycle, which stands for the title below when the cycle
    allows a recommendation instead (Cycle.require_title_below off)."""
    below = previous_level(level)
    if below is None or cycle is None:
        return None
    return (Application.objects.filter(entity=entity, level=below, cycle=cycle, status__in=(
        ApplicationStatus.PASSED, ApplicationStatus.PUBLICITY, ApplicationStatus.AWARDED)).order_by("-id").first())


def apply_blocker(entity, level: str, *, today=None) -> str:
    """Why the business cannot apply for `level` now, in the words of services.application_submit and in its
    order ('' when it may). The merchant's pages show it before a form is filled in; the service stays the
    authority on submission (tests check both give the same message)."""
    from .services import open_cycle, region_for_level, veto_reasons

    today = today or timezone.localdate()
    cycle = open_cycle()
    if cycle is None or not (cycle.applications_open <= today <= cycle.review_by(level)):
        return "现在不在申报期内。"
    if level == TitleLevel.COUNTY and today > cycle.applications_close:
        return f"旗县区级申报已于 {cycle.applications_close.isoformat()} 截止。"
    if not Enrollment.objects.current().filter(entity=entity, status=EnrollmentStatus.ACTIVE).exists():
        return "只有有效的放心消费创建单位可以申报示范单位。"
    vetoes = veto_reasons(entity)
    if vetoes:
        return "存在一票否决情形：" + "；".join(vetoes)
    below = previous_level(level)
    holds_below = below is None or Title.objects.filter(entity=entity, level=below, status=TitleStatus.VALID,
                                                        valid_until__gte=today).exists()
    if not holds_below and (cycle.require_title_below or recommendation_for(entity, level, cycle) is None):
        return f"申报{TitleLevel(level).label}前须先获得{TitleLevel(below).label}放心消费示范单位称号。"
    if not Standard.objects.filter(sector=entity.sector_id, level=level, status=StandardStatus.PUBLISHED).exists():
        return "该行业、该级别的评价标准尚未发布，暂不能申报。"
    try:
        region = region_for_level(entity, level)
    except ValidationFailed as exc:
        return exc.message
    if Application.objects.filter(cycle=cycle, entity=entity, level=level).exists():
        return "本年度已经申报过该级别，不能重复申报。"
    quota = (cycle.quotas or {}).get(f"{level}:{region.code}")
    if quota is not None:
        taken = Application.objects.filter(cycle=cycle, level=level, region=region).exclude(
            status__in=(ApplicationStatus.WITHDRAWN, ApplicationStatus.FAILED, ApplicationStatus.REMOVED)).count()
        if taken >= quota:
            return f"{region.name}本年度{TitleLevel(level).label}名额（{quota} 个）已满。"
    sector_quota = (cycle.quotas or {}).get(f"{level}:{entity.sector.code}")
    if sector_quota is not None:
        taken = Application.objects.filter(cycle=cycle, level=level, region=region,
                                           entity__sector=entity.sector_id).exclude(
            status__in=(ApplicationStatus.WITHDRAWN, ApplicationStatus.FAILED, ApplicationStatus.REMOVED)).count()
        if taken >= sector_quota:
            return (f"{region.name}{entity.sector.name}行业本年度{TitleLevel(level).label}名额"
                    f"（{sector_quota} 个）已满。")
    return ""


@dataclass
class ApplyOption:
    """One level for one business in the open cycle: its application, or whether it may apply and why not."""

    level: str
    label: str
    application: Application | None
    reason: str

    @property
    def can_apply(self) -> bool:
        return self.application is None and not self.reason


@dataclass
class MerchantTitles:
    entity: object
    enrolled: bool
    applications: list
    titles: list
    options: list


def merchant_titles(user) -> list[MerchantTitles]:
    """Per business the merchant holds (confirmed bindings): its applications of every year, its titles and what
    it may apply for in the open cycle."""
    from fangxin.accounts.models import BindingStatus, MerchantBinding

    from .services import open_cycle

    cycle = open_cycle()
    rows = []
    bindings = (MerchantBinding.objects.filter(user=user, status=BindingStatus.CONFIRMED)
                .select_related("entity", "entity__region", "entity__sector").order_by("entity__name"))
    for binding in bindings:
        entity = binding.entity
        applications = list(applications_visible(user).filter(entity=entity).order_by("-cycle__year", "-id"))
        this_cycle = {a.level: a for a in applications if cycle is not None and a.cycle_id == cycle.pk}
        options = [ApplyOption(level=level, label=TitleLevel(level).label, application=this_cycle.get(level),
                               reason="" if level in this_cycle else apply_blocker(entity, level))
                   for level in LEVEL_ORDER]
        enrolled = Enrollment.objects.current().filter(entity=entity, status=EnrollmentStatus.ACTIVE).exists()
        rows.append(MerchantTitles(entity=entity, enrolled=enrolled, applications=applications,
                                   titles=list(Title.objects.filter(entity=entity).order_by("-year", "-id")),
                                   options=options))
    return rows


def publicities_recent(limit: int = 20, today=None) -> QuerySet[Publicity]:
    """Publicity notices that have started, newest first (the current ones included)."""
    today = today or timezone.localdate()
    return (Publicity.objects.filter(starts_on__lte=today).select_related("cycle", "region")
            .annotate(candidate_count=Count("candidates")).order_by("-starts_on", "-id")[:limit])


def publicity_public_get(pk: int, today=None) -> Publicity:
    """A publicity notice the public may read: one that has started."""
    today = today or timezone.localdate()
    publicity = Publicity.objects.select_related("cycle", "region").filter(pk=pk, starts_on__lte=today).first()
    if publicity is None:
        raise NotFound("没有找到该公示。")
    return publicity


def objection_target(application_pk: int, today=None) -> Application:
    """A candidate that has been published (the public can object to it while its period runs); any other
    application is not found, so nothing about unpublished applications leaks."""
    today = today or timezone.localdate()
    application = (Application.objects.select_related("entity", "entity__sector", "entity__region", "publicity",
                                                      "publicity__region", "publicity__cycle")
                   .filter(pk=application_pk, publicity__isnull=False, publicity__starts_on__lte=today,
                           status__in=(ApplicationStatus.PUBLICITY, ApplicationStatus.AWARDED,
                                       ApplicationStatus.REMOVED)).first())
    if application is None:
        raise NotFound("没有找到该候选单位。")
    return application


def objection_open(application: Application, today=None) -> bool:
    """Whether an objection may be filed now (the rule services.objection_file applies)."""
    today = today or timezone.localdate()
    publicity = application.publicity
    return (application.status == ApplicationStatus.PUBLICITY and publicity is not None
            and publicity.starts_on <= today <= publicity.ends_on)


def standard_summary(standard: Standard) -> dict:
    """What the public sees of a standard on a publicity notice: points per dimension, veto and bonus items."""
    dimensions: dict[str, dict] = {}
    vetoes, bonuses = [], []
    for item in standard.items.select_related("dimension").order_by("dimension__seq", "seq"):
        if item.kind == ItemKind.VETO:
            vetoes.append(item.text)
        elif item.kind == ItemKind.BONUS:
            bonuses.append(item)
        else:
            row = dimensions.setdefault(item.dimension.code, {"name": item.dimension.name, "items": 0,
                                                              "points": Decimal("0")})
            row["items"] += 1
            row["points"] += item.points
    return {"standard": standard, "dimensions": list(dimensions.values()), "vetoes": vetoes, "bonuses": bonuses,
            "total": sum((row["points"] for row in dimensions.values()), Decimal("0"))}


def application_objections(application: Application) -> dict:
    """For the merchant: how many objections a candidate received and how they were answered (never who)."""
    counts = dict(application.objections.values_list("status").annotate(n=Count("id")).order_by())
    return {"total": sum(counts.values()),
            "by_status": [(ObjectionStatus(status).label, counts[status]) for status in ObjectionStatus.values
                          if counts.get(status)]}
