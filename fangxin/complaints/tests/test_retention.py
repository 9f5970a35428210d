"""Retention (issue 10 item 7): complaints closed more than N years ago lose their personal data, statistics stay
the same, one audit record per run keeps the chain valid, and a second run changes nothing."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import TestCase

from fangxin.complaints import retention
from fangxin.complaints.choices import Status
from fangxin.complaints.models import Complaint, ComplaintDocument, ComplaintFile, MediationSession
from fangxin.complaints.tests.factories import STAFF, make_complaint
from fangxin.complaints.tests.test_privacy_at_rest import ID_NUMBER, PHONE, _complaint_with_everything
from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord, Notification
from fangxin.stats import rollups

TODAY = date(2026, 11, 28)


def _closed_on(complaint: Complaint, day: date) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(closed_on=day)
    return Complaint.objects.get(pk=complaint.pk)


def _figures() -> dict:
    """What the statistics read, recomputed from the data, plus the plain aggregates by hand."""
    rows = Complaint.objects.order_by("id").values_list("status", "kind", "region_id", "sector_id", "entity_id",
                                                        "amount", "recovered_amount", "received_on", "closed_on",
                                                        "problem_types", "rating")
    return {"expected": rollups.expected_totals(), "rows": list(rows)}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_old_closed_complaints_are_anonymised_and_statistics_stay(users, media):
    old = _closed_on(_complaint_with_everything(), date(2022, 6, 30))
    evidence = ComplaintFile(complaint=old, original_name="票据.jpg", content_type="image/jpeg", size=3, sha256="0" * 64)
    evidence.file.save("old-evidence.jpg", ContentFile(b"jpg"), save=True)
    stored_path = media / evidence.file.name
    recent = _closed_on(make_complaint(Status.REFUSED, complainant_phone="13900009999", description="另一件"),
                        date(2024, 1, 1))
    still_open = make_complaint(Status.ACCEPTED, complainant_phone="13900008888", description="第三件")
    before, stored_before = _figures(), rollups.stored_totals()

    preview = retention.retention_apply(actor=STAFF, years=3, today=TODAY, dry_run=True)
    assert (preview.complaints, preview.files, preview.sessions) == (1, 1, 1) and preview.documents >= 2
    assert Complaint.objects.get(pk=old.pk).complainant_phone == PHONE  # a dry run changes nothing
    audits = AuditRecord.objects.count()

    with TestCase.captureOnCommitCallbacks(execute=True):  # stored files are deleted once the run commits
        result = retention.retention_apply(actor=Actor.system("retention"), years=3, today=TODAY)
    assert (result.complaints, result.files, result.sessions, result.cutoff) == (1, 1, 1, date(2023, 11, 28))
    assert result.notifications >= 1

    old = Complaint.objects.get(pk=old.pk)
    assert (old.complainant_name, old.complainant_phone, old.complainant_email, old.complainant_address,
            old.complainant_id_number, old.complainant_phone_index) == ("已匿名", "", "", "", "", "")
    assert old.anonymised_on == TODAY
    assert PHONE not in old.description and ID_NUMBER not in old.description and "买到过期牛奶" in old.description
    assert PHONE not in old.demand
    texts = [p for d in ComplaintDocument.objects.filter(complaint=old) for p in d.content["paragraphs"]]
    assert texts and not any("欧阳明珠" in p or PHONE in p for p in texts)
    session = MediationSession.objects.get(complaint=old)
    assert "欧阳明珠" not in session.attendees and PHONE not in session.summary
    assert not ComplaintFile.objects.filter(complaint=old).exists() and not stored_path.exists()
    consumer = Notification.objects.filter(object_id=old.tracking_no, recipient_kind="consumer")
    assert consumer.exists() and set(consumer.values_list("recipient", flat=True)) == {""}
    assert not Complaint.objects.filter(complainant_phone=PHONE).exists()

    # the recent and the open complaint keep everything
    assert Complaint.objects.get(pk=recent.pk).complainant_phone == "13900009999"
    assert Complaint.objects.get(pk=still_open.pk).anonymised_on is None

    # statistics: the same figures from the data, the same stored rollups
    assert _figures() == before and rollups.stored_totals() == stored_before

    # one audit record for the run, with the counts, and the chain still verifies
    records = list(AuditRecord.objects.filter(seq__gt=0).order_by("seq"))[audits:]
    assert [r.action for r in records] == ["complaints.retention_apply"]
    assert records[0].changes["counts"][1]["complaints"] == 1
    assert audit.verify().ok

    # idempotent: a second run finds nothing and changes nothing
    again = retention.retention_apply(actor=STAFF, years=3, today=TODAY)
    assert again.complaints == 0 and _figures() == before
    assert Complaint.objects.get(pk=old.pk).updated_at == old.updated_at


def test_the_command_uses_the_setting_and_reports_in_chinese(users, settings, capsys, media):
    old = _closed_on(make_complaint(Status.REFUSED), date(2015, 1, 1))
    settings.FANGXIN_RETENTION_YEARS = 20
    call_command("retention", "apply", "--dry-run")
    assert "将匿名化" in capsys.readouterr().out
    call_command("retention", "apply")
    assert Complaint.objects.get(pk=old.pk).anonymised_on is None  # 2015 is not 20 years ago
    call_command("retention", "apply", "--years", "5")
    out = capsys.readouterr().out
    assert "已匿名化" in out and "1 件" in out
    assert Complaint.objects.get(pk=old.pk).complainant_name == "已匿名"
    assert audit.verify().ok


def test_a_29_february_cutoff_falls_back_to_28_february():
    assert retention.cutoff_for(date(2028, 2, 29), 3) == date(2025, 2, 28)
