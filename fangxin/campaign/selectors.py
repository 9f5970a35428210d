"""Reads of enrollments and badge reports: staff through visible_to(user), the public through public_*."""

from django.db.models import Count, Q, QuerySet

from fangxin.accounts.choices import Role
from fangxin.core.exceptions import NotFound

from .choices import EnrollmentStatus
from .models import BadgeReport, Enrollment


def enrollment_roster(*, user, region_code: str = "", sector_code: str = "", status: str = "",
                      query: str = "") -> QuerySet[Enrollment]:
    enrollments = Enrollment.objects.visible_to(user).select_related("entity", "entity__region", "entity__sector")
    if region_code:
        enrollments = enrollments.filter(entity__region__path__contains=f"/{region_code}/")
    if sector_code:
        enrollments = enrollments.filter(entity__sector__code=sector_code)
    if status:
        enrollments = enrollments.filter(status=status)
    if query:
        enrollments = enrollments.filter(Q(entity__name__contains=query) | Q(entity__uscc=query.upper())
                                         | Q(serial=query.upper()))
    return enrollments.order_by("entity__region__code", "entity__sector__seq", "entity__name")


def roster_counts(enrollments: QuerySet[Enrollment]) -> list[dict]:
    """Counts by county and status for the roster's summary table."""
    rows = (enrollments.order_by().values("entity__region__name", "entity__region__code")
            .annotate(total=Count("pk"), active=Count("pk", filter=Q(status=EnrollmentStatus.ACTIVE)),
                      suspended=Count("pk", filter=Q(status=EnrollmentStatus.SUSPENDED)),
                      revoked=Count("pk", filter=Q(status=EnrollmentStatus.REVOKED)),
                      withdrawn=Count("pk", filter=Q(status=EnrollmentStatus.WITHDRAWN)))
            .order_by("entity__region__code"))
    return list(rows)


def enrollment_get(*, user, serial: str) -> Enrollment:
    enrollment = (Enrollment.objects.visible_to(user).select_related("entity", "entity__region", "entity__sector",
                                                                     "commitment")
                  .filter(serial=serial.upper()).first())
    if enrollment is None:
        raise NotFound("未找到该创建单位。")
    return enrollment


def current_enrollment(entity) -> Enrollment | None:
    return Enrollment.objects.current().filter(entity=entity).select_related("commitment").first()


def enrollment_history(entity) -> QuerySet[Enrollment]:
    return (Enrollment.objects.filter(entity=entity).prefetch_related("events", "specific_commitments")
            .order_by("-signed_at"))


def badge_reports(*, user) -> QuerySet[BadgeReport]:
    """The joint-meeting office sees every report (counterfeits belong to no county); others their scope."""
    if getattr(user, "role", None) in {Role.JOINT_OFFICE, Role.SYSADMIN, Role.AUDITOR}:
        reports = BadgeReport.objects.all()
    else:
        reports = BadgeReport.objects.visible_to(user)
    return reports.select_related("enrollment", "enrollment__entity").order_by("-created_at")


def current_status_by_entity(entity_ids) -> dict[int, str]:
    """{entity id: current enrollment status} for a page of search results (one query)."""
    return dict(Enrollment.objects.current().filter(entity_id__in=list(entity_ids))
                .values_list("entity_id", "status"))


def filter_enrolled(entities, enrolled: bool):
    """Search filter: businesses that are (or are not) active 放心消费创建单位."""
    active = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE).values("entity_id")
    return entities.filter(pk__in=active) if enrolled else entities.exclude(pk__in=active)
