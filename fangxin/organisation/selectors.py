"""Reads of reference data. Reference data is public: every user may read it."""

from django.db.models import QuerySet

from .choices import CommitmentStatus, RegionLevel
from .models import Commitment, Department, Dimension, Region, Sector


def region_subtree(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(path__startswith=region.path)


def counties(within: Region | None = None) -> QuerySet[Region]:
    regions = Region.objects.filter(level=RegionLevel.COUNTY)
    return regions.filter(path__startswith=within.path) if within else regions


def sector_list() -> QuerySet[Sector]:
    return Sector.objects.prefetch_related("lead_departments", "cooperating_departments").order_by("seq")


def department_list() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("code")


def sectors_of_department(department: Department) -> QuerySet[Sector]:
    """The sectors where the department leads or cooperates (its staff's sector scope)."""
    return Sector.objects.filter(lead_departments=department).union(
        Sector.objects.filter(cooperating_departments=department)
    )


def dimension_list() -> QuerySet[Dimension]:
    return Dimension.objects.order_by("seq")


def current_commitment() -> Commitment | None:
    return Commitment.objects.filter(status=CommitmentStatus.PUBLISHED).order_by("-version").first()


def specific_commitment_list():
    from .models import SpecificCommitment

    return SpecificCommitment.objects.filter(is_active=True).select_related("dimension").order_by("seq")
