"""Reads of the demonstration-title workflow: what each user may see, public lists and coverage."""

from decimal import Decimal

from django.db.models import Count, QuerySet
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.core.exceptions import NotFound

from ..choices import EnrollmentStatus
from ..models import Enrollment
from .choices import ApplicationStatus, CaseStatus, StandardStatus, TitleStatus
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


