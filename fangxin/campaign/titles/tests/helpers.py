"""Shared by the titles tests: row counts before/after (nothing half-written) and scores with an exact total."""

from decimal import Decimal

from fangxin.campaign.models import Enrollment, EnrollmentEvent
from fangxin.campaign.titles.choices import ItemKind
from fangxin.campaign.titles.models import (
    Announcement,
    Application,
    ApplicationEvent,
    ApplicationEvidence,
    ConflictDeclaration,
    Cycle,
    Designation,
    ManagementCase,
    Objection,
    OutgoingCreditEvent,
    Publicity,
    Review,
    Standard,
    StandardItem,
    Title,
)
from fangxin.core.models import AuditRecord

COUNTED = (Standard, StandardItem, Cycle, Application, ApplicationEvent, ApplicationEvidence, Review,
           ConflictDeclaration, Publicity, Objection, Title, ManagementCase, Announcement, OutgoingCreditEvent,
           Designation, Enrollment, EnrollmentEvent, AuditRecord)


def rows() -> dict[str, int]:
    """Row counts of every table a titles service writes, plus the statuses of applications and titles."""
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts["statuses"] = sorted(Application.objects.values_list("pk", "status"))
    counts["titles"] = sorted(Title.objects.values_list("pk", "status"))
    counts["enrollments"] = sorted(Enrollment.objects.values_list("pk", "status"))
    return counts


def scores_totalling(standard: Standard, total, *, veto: bool = False) -> dict:
    """{seq: score} for the scored items with exactly `total` points (bonus items left blank)."""
    left = Decimal(str(total))
    scores = {}
    for item in standard.items.all():
        if item.kind == ItemKind.SCORED:
            given = min(item.points, left)
            scores[str(item.seq)] = str(given)
            left -= given
        elif item.kind == ItemKind.VETO and veto:
            scores[str(item.seq)] = "1"
            veto = False
    assert left == 0, f"the standard's scored items total less than {total}"
    return scores
