"""Retention (the minimum-necessary principle, policy 四(六)): complaints closed more than N years ago keep what the
statistics need and lose who complained.

What goes: the complainant's name (→ 已匿名), phone, email, address and ID number, the phone's blind index, the
evidence files, the consumer's copies in the notification outbox. What is masked (kept readable, personal details
replaced by hints such as 138****1234): the complaint text and request, the outcome, settlement and rating notes,
the timeline notes, mediation records and the issued documents. What stays untouched: every field a statistic reads
(kind, channel, dates, status, county, sector, department, business, item, amounts, problem types, rating), so
counts and rollups are the same before and after.

One run = one transaction and one audit record with the counts (also when nothing was due: the run is on record); a complaint is marked `anonymised_on` and never
picked again, so running it twice changes nothing the second time.
"""

from dataclasses import asdict, dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.models import Notification

from .document_render import mask_complainant
from .models import Complaint, ComplaintDocument, ComplaintEvent, ComplaintFile, MediationSession

ANONYMOUS_NAME = "已匿名"
BATCH = 200
MASKED_FIELDS = ("description", "demand", "outcome_summary", "settlement_note", "rating_comment")
PERSONAL_FIELDS = ("complainant_name", "complainant_phone", "complainant_phone_index", "complainant_email",
                   "complainant_address", "complainant_id_number")


@dataclass
class RetentionResult:
    cutoff: date
    years: int
    dry_run: bool
    complaints: int = 0
    files: int = 0
    documents: int = 0
    sessions: int = 0
    notifications: int = 0

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


def cutoff_for(today: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def due(cutoff: date):
    """Complaints closed before the cutoff whose personal data is still there."""
    return Complaint.objects.closed().filter(closed_on__lt=cutoff, anonymised_on__isnull=True)


def _anonymise(complaint: Complaint, today: date, result: RetentionResult, doomed_files: list) -> None:
    """Mask the texts with the complainant's own details first (the masker needs them), then drop the details."""
    for name in MASKED_FIELDS:
        setattr(complaint, name, mask_complainant(getattr(complaint, name) or "", complaint))
    for document in ComplaintDocument.objects.filter(complaint=complaint):
        content = dict(document.content or {})
        content["to"] = mask_complainant(content.get("to") or "", complaint)
        content["paragraphs"] = [mask_complainant(p, complaint) for p in content.get("paragraphs") or []]
        document.content = content
        document.save(update_fields=["content"])
        result.documents += 1
    for session in MediationSession.objects.filter(complaint=complaint):
        session.attendees = mask_complainant(session.attendees, complaint)[:200]
        session.summary = mask_complainant(session.summary, complaint)
        session.save(update_fields=["attendees", "summary"])
        result.sessions += 1
    for event in ComplaintEvent.objects.filter(complaint=complaint).exclude(note=""):
        event.note = mask_complainant(event.note, complaint)
        event.save(update_fields=["note"])
    for stored in ComplaintFile.objects.filter(complaint=complaint):
        doomed_files.append((stored.file.storage, stored.file.name))
        stored.delete()
        result.files += 1
    result.notifications += (Notification.objects.filter(object_type="complaint", object_id=complaint.tracking_no,
                                                         recipient_kind="consumer")
                             .update(recipient="", recipient_index=""))
    complaint.complainant_name = ANONYMOUS_NAME
    complaint.complainant_phone = complaint.complainant_email = ""
    complaint.complainant_address = complaint.complainant_id_number = ""
    complaint.anonymised_on = today
    complaint.save(update_fields=[*PERSONAL_FIELDS, *MASKED_FIELDS, "anonymised_on", "updated_at"])
    result.complaints += 1


def _count(cutoff: date, result: RetentionResult) -> RetentionResult:
    rows = due(cutoff)
    result.complaints = rows.count()
    result.files = ComplaintFile.objects.filter(complaint__in=rows).count()
    result.documents = ComplaintDocument.objects.filter(complaint__in=rows).count()
    result.sessions = MediationSession.objects.filter(complaint__in=rows).count()
    result.notifications = Notification.objects.filter(
        object_type="complaint", recipient_kind="consumer",
        object_id__in=rows.values("tracking_no")).exclude(recipient="").count()
    return result


def retention_apply(*, actor: Actor, years: int | None = None, today: date | None = None,
                    dry_run: bool = False) -> RetentionResult:
    """Anonymise every complaint closed more than `years` (default settings.FANGXIN_RETENTION_YEARS) years ago."""
    years = settings.FANGXIN_RETENTION_YEARS if years is None else years
    if years < 1:
        raise ValueError("保存年限至少为 1 年。")
    today = today or timezone.localdate()
    result = RetentionResult(cutoff=cutoff_for(today, years), years=years, dry_run=dry_run)
    if dry_run:
        return _count(result.cutoff, result)
    doomed_files: list = []
    with transaction.atomic():
        # the ids first: the rows change under the loop (anonymised_on), so no paging over the live filter
        ids = list(due(result.cutoff).order_by("id").values_list("id", flat=True))
        for start in range(0, len(ids), BATCH):
            for complaint in Complaint.objects.select_for_update().filter(pk__in=ids[start:start + BATCH]):
                _anonymise(complaint, today, result, doomed_files)
        audit.record(actor=actor, action="complaints.retention_apply", object_type="complaints.retention",
                     object_id=today.isoformat(), object_repr=f"个人信息匿名化（办结满 {years} 年）",
                     changes={"counts": [None, result.as_dict()]})
        # stored files go only once the database no longer points at them
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in doomed_files if name])
    return result
