"""Complaint services: intake checks (nothing written on failure), dedupe, operator-first, routing, transfer,
refusal and mediation documents, agreement amounts, rating, notifications after commit, overdue flagging."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.complaints import services
from fangxin.complaints.choices import ALTERNATIVE_ROUTES, Channel, DocumentKind, ReasonKind, SettlementType, Status
from fangxin.complaints.models import Complaint, ComplaintDocument, ComplaintEvent, ComplaintFile, RuleReason
from fangxin.complaints.tests.factories import MERCHANT, PUBLIC, STAFF, complaint_input, make_complaint
from fangxin.core.exceptions import TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord, Notification, NotificationStatus
from fangxin.core.tests import samples
from fangxin.organisation.models import Department

PNG = samples.PNG


def submit_with(files=(), **overrides):
    return services.complaint_submit(actor=PUBLIC, data=complaint_input(**overrides), channel=Channel.WEB,
                                     files=files)


def rejected(field, **overrides):
    """Submitting fails on `field` and writes nothing at all."""
    files = overrides.pop("files", ())
    before = (Complaint.objects.count(), ComplaintEvent.objects.count(), AuditRecord.objects.count(),
              ComplaintDocument.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        submit_with(files=files, **overrides)
    assert caught.value.details.get("field") == field, caught.value.message
    assert (Complaint.objects.count(), ComplaintEvent.objects.count(), AuditRecord.objects.count(),
            ComplaintDocument.objects.count()) == before
    return caught.value


# --- intake ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "stored"), [
    ("13800001234", "13800001234"), ("+86 138-0000-1234", "13800001234"), ("0086 13800001234", "13800001234"),
    ("138 0000 1234", "13800001234"), ("0478-8123456", "04788123456"), ("（0478）8123456", "04788123456"),
])
def test_phone_formats_are_normalised(reference, raw, stored):
    complaint, created = submit_with(complainant_phone=raw)
    assert created and complaint.complainant_phone == stored
    assert complaint.phone_last4 == stored[-4:]


@pytest.mark.parametrize("raw", ["12345", "23800001234", "138000012345", "0478-12", "电话号码", ""])
def test_bad_phone_is_refused_and_nothing_is_written(reference, raw):
    error = rejected("complainant_phone", complainant_phone=raw)
    assert "电话" in error.message


@pytest.mark.parametrize(("field", "override"), [
    ("complainant_name", {"complainant_name": "  "}), ("business_name", {"business_name": ""}),
    ("item", {"item": ""}), ("description", {"description": ""}), ("demand", {"demand": ""}),
    ("description", {"description": "长" * 5001}),
])
def test_missing_fields(reference, field, override):
    error = rejected(field, **override)
    assert error.message.startswith("请填写") or "最多" in error.message


@pytest.mark.parametrize("amount", ["abc", "-5", "1.234", "NaN", "sNaN", "Infinity", "1e12"])
def test_bad_amount(reference, amount):
    rejected("amount", amount=amount)


def test_amount_with_separators_is_accepted(reference):
    complaint, _ = submit_with(amount="1,299.5元")
    assert complaint.amount == Decimal("1299.50")


def test_future_dates_are_refused(reference):
    tomorrow = timezone.localdate() + timedelta(days=1)
    rejected("received_on", received_on=tomorrow)
    rejected("purchased_on", purchased_on=tomorrow)


def test_unknown_picked_entity_is_refused(reference):
    rejected("entity", entity_id=987654)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_png_evidence_is_kept(reference, media):
    complaint, _ = submit_with(files=[SimpleUploadedFile("小票.png", PNG)])
    stored = ComplaintFile.objects.get(complaint=complaint)
    assert stored.content_type == "image/png" and stored.size == len(PNG) and stored.original_name == "小票.png"
    assert len(stored.sha256) == 64


def test_text_named_jpg_is_refused(reference, media):
    error = rejected("files", files=[SimpleUploadedFile("photo.jpg", b"just some text, not a photo")])
    assert "不是图片或 PDF" in error.message
    assert ComplaintFile.objects.count() == 0


def test_png_named_pdf_is_refused(reference, media):
    error = rejected("files", files=[SimpleUploadedFile("contract.pdf", PNG)])
    assert "扩展名与内容不符" in error.message


def test_file_over_the_limit_is_refused(reference, media, settings):
    settings.FANGXIN_EVIDENCE_MAX_BYTES = 1024
    rejected("files", files=[SimpleUploadedFile("big.png", PNG + b"\x00" * 2048)])
    assert not list(media.rglob("*.png"))


def test_too_many_files_are_refused(reference, media, settings):
    files = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(settings.FANGXIN_EVIDENCE_MAX_FILES + 1)]
    rejected("files", files=files)


def test_only_staff_register_hotline_complaints(reference):
    with pytest.raises(services.PermissionDenied):
        services.complaint_submit(actor=PUBLIC, data=complaint_input(), channel=Channel.HOTLINE)
    complaint, _ = services.complaint_submit(actor=STAFF, data=complaint_input(), channel=Channel.HOTLINE)
    assert complaint.channel == Channel.HOTLINE


# --- dedupe ----------------------------------------------------------------------------------------------------

def test_resubmission_within_ten_minutes_returns_the_first(reference):
    first, created = submit_with()
    again, created_again = submit_with(complainant_phone="+86 138 0000 1234")
    assert created and not created_again
    assert again.pk == first.pk and Complaint.objects.count() == 1


def test_resubmission_after_ten_minutes_is_a_new_complaint(reference):
    first, _ = submit_with()
    Complaint.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    second, created = submit_with()
    assert created and second.pk != first.pk and second.tracking_no != first.tracking_no


def test_a_different_description_is_not_a_duplicate(reference):
    first, _ = submit_with()
    second, created = submit_with(description="另一件事：酸奶也过期了。")
    assert created and second.pk != first.pk


# --- operator-first --------------------------------------------------------------------------------------------

def test_operator_first_when_enrolled_bound_and_consenting(users, entities):
    make_enrollment(entities["a_food"])
    complaint, _ = submit_with(entity_id=entities["a_food"].pk)
    assert complaint.status == Status.OPERATOR
    assert complaint.operator_started_on == complaint.received_on and complaint.bureau_received_on is None
    assert list(complaint.events.values_list("action", flat=True)) == ["submit", "operator_first"]


def test_no_operator_first_without_consent(users, entities):
    make_enrollment(entities["a_food"])
    complaint, _ = submit_with(entity_id=entities["a_food"].pk, consent_mediation=False)
    assert complaint.status == Status.RECEIVED and complaint.bureau_received_on == complaint.received_on


def test_no_operator_first_without_merchant_account(users, entities):
    make_enrollment(entities["b_food"])  # enrolled, but nobody holds a merchant account for it
    complaint, _ = submit_with(entity_id=entities["b_food"].pk, business_name=entities["b_food"].name)
    assert complaint.status == Status.RECEIVED


def test_no_operator_first_without_enrollment(users, entities):
    complaint, _ = submit_with(entity_id=entities["a_food"].pk)  # merchant bound, not enrolled
    assert complaint.status == Status.RECEIVED


def test_operator_settlement_rejected_goes_to_the_bureau_with_nothing_retyped(users, entities):
    make_enrollment(entities["a_food"])
    complaint, _ = submit_with(entity_id=entities["a_food"].pk)
    services.complaint_operator_offer(actor=MERCHANT, complaint=complaint, settlement_type=SettlementType.REPAIR,
                                      note="免费维修")
    complaint = services.complaint_settlement_answer(actor=PUBLIC, complaint=complaint, accept=False, comment="不要修")
    assert complaint.status == Status.RECEIVED
    assert complaint.bureau_received_on == timezone.localdate()
    assert complaint.description == complaint_input().description


def test_an_offer_after_the_ten_working_days_is_refused(users, entities):
    make_enrollment(entities["a_food"])
    complaint, _ = submit_with(entity_id=entities["a_food"].pk)
    Complaint.objects.filter(pk=complaint.pk).update(operator_started_on=timezone.localdate() - timedelta(days=30))
    with pytest.raises(ValidationFailed, match="和解期限已过"):
        services.complaint_operator_offer(actor=MERCHANT, complaint=complaint, settlement_type=SettlementType.REPAIR,
                                          note="免费维修")
    complaint.refresh_from_db()
    assert complaint.status == Status.OPERATOR and complaint.events.count() == 2


def test_rejecting_when_no_offer_is_pending_is_a_409(users, entities):
    make_enrollment(entities["a_food"])
    complaint, _ = submit_with(entity_id=entities["a_food"].pk)
    with pytest.raises(TransitionNotAllowed):
        services.complaint_settlement_answer(actor=PUBLIC, complaint=complaint, accept=False)
    complaint.refresh_from_db()
    assert complaint.status == Status.OPERATOR


def test_advance_compensation_settlement(users, entities):
    make_enrollment(entities["a_food"])
    complaint, _ = submit_with(entity_id=entities["a_food"].pk)
    with pytest.raises(ValidationFailed):
        services.complaint_operator_offer(actor=MERCHANT, complaint=complaint,
                                          settlement_type=SettlementType.ADVANCE_COMPENSATION, note="先赔")
    services.complaint_operator_offer(actor=MERCHANT, complaint=complaint,
                                      settlement_type=SettlementType.ADVANCE_COMPENSATION, amount="300", note="先赔")
    complaint = services.complaint_settlement_answer(actor=PUBLIC, complaint=complaint, accept=True)
    assert complaint.status == Status.OPERATOR_SETTLED and complaint.closed_on == timezone.localdate()
    assert complaint.recovered_amount == Decimal("300.00") == complaint.advance_compensation


# --- routing ---------------------------------------------------------------------------------------------------

def test_routing_by_uscc_wins_over_the_typed_name(entities):
    entity = entities["b_tourism"]
    complaint, _ = submit_with(business_name="那家旅行社", business_uscc=entity.uscc.lower())
    assert complaint.entity == entity and complaint.region.code == "150821"
    assert complaint.sector.code == "tourism"
    assert complaint.department == Department.objects.get(code="tourism")


def test_routing_by_exact_name(entities):
    complaint, _ = submit_with(business_name="五原县华联生鲜超市", region_code="150802")
    assert complaint.entity == entities["b_food"] and complaint.region.code == "150821"
    assert complaint.department.code == "fda"  # food and drugs: the lead department
    assert "被投诉经营者登记的经营地" in complaint.events.get(action="submit").note


def test_routing_platform_fallback(entities):
    complaint, _ = submit_with(business_name="某个不知名的小网店", platform_name="乐购", region_code="150821")
    assert complaint.entity is None
    assert complaint.region.code == "150802"  # the platform's registered place
    assert "平台" in complaint.events.get(action="submit").note


def test_routing_region_fallback(entities):
    complaint, _ = submit_with(business_name="路边水果摊", region_code="150825", platform_name="")
    assert complaint.entity is None and complaint.region.code == "150825"
    assert complaint.business_uscc == ""


def test_unknown_region_is_refused(entities):
    rejected("region_code", business_name="路边水果摊", region_code="999999")


def test_staff_sector_sets_the_lead_department(entities):
    complaint, _ = services.complaint_submit(
        actor=STAFF, channel=Channel.HOTLINE,
        data=complaint_input(business_name="路边小店", sector_code="express", region_code="150822"))
    assert complaint.sector.code == "express" and complaint.department.code == "post"
    assert complaint.classification_confirmed


def test_classify_moves_the_department(entities):
    complaint = make_complaint(Status.RECEIVED)
    complaint = services.complaint_classify(actor=STAFF, complaint=complaint, sector_code="beauty_fitness",
                                            problem_types=["prepaid"])
    assert complaint.department.code == "amr"  # the first lead department of beauty and fitness
    with pytest.raises(ValidationFailed):
        services.complaint_classify(actor=STAFF, complaint=complaint, sector_code="info", problem_types=["nonsense"])


# --- transfer --------------------------------------------------------------------------------------------------

def test_transfer_writes_the_notice_and_restarts_the_bureau_clock(entities):
    complaint = make_complaint(Status.RECEIVED)
    Complaint.objects.filter(pk=complaint.pk).update(bureau_received_on=timezone.localdate() - timedelta(days=5))
    complaint = services.complaint_transfer(actor=STAFF, complaint=complaint, reason="经营场所位于五原县",
                                            region_code="150821")
    assert complaint.region.code == "150821" and complaint.assignee is None
    assert complaint.bureau_received_on == timezone.localdate()
    document = complaint.documents.get(kind=DocumentKind.TRANSFER)
    assert "五原县市场监督管理局" in document.content["paragraphs"][0]
    assert "经营场所位于五原县" in document.content["paragraphs"][0]
    # the sending bureau (临河区) issues and numbers the notice
    assert document.issuer == "临河区市场监督管理局" and document.number.startswith("临河区市监诉分")
    assert AuditRecord.objects.filter(action="complaints.transfer", object_id=str(complaint.pk)).count() == 1


def test_transfer_to_the_same_unit_or_after_acceptance_is_refused(entities):
    complaint = make_complaint(Status.RECEIVED)
    with pytest.raises(ValidationFailed):
        services.complaint_transfer(actor=STAFF, complaint=complaint, reason="同一单位", region_code="150802")
    accepted = make_complaint(Status.ACCEPTED, description="另一件投诉")
    with pytest.raises(ValidationFailed):
        services.complaint_transfer(actor=STAFF, complaint=accepted, reason="迟了", region_code="150821")
    assert not ComplaintDocument.objects.filter(kind=DocumentKind.TRANSFER).exists()


# --- refusal and mediation -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("received_on", "code", "numbers"), [
    ("2026-04-01", "samr-2019", range(1, 7)), (None, "samr-121", range(1, 8))])
def test_refusal_with_each_reason_writes_the_decision(entities, received_on, code, numbers):
    from datetime import date

    for number in numbers:
        kwargs = {"received_on": date.fromisoformat(received_on)} if received_on else {}
        complaint, _ = services.complaint_submit(actor=STAFF, channel=Channel.HOTLINE, data=complaint_input(
            description=f"第 {number} 件", **kwargs))
        assert complaint.rule_set.code == code
        complaint = services.complaint_refuse(actor=STAFF, complaint=complaint, reason_number=number)
        reason = RuleReason.objects.get(rule_set__code=code, kind=ReasonKind.REFUSAL, number=number)
        assert complaint.status == Status.REFUSED and complaint.reason == reason
        document = complaint.documents.get(kind=DocumentKind.REFUSAL)
        text = "".join(document.content["paragraphs"])
        assert f"{reason.article}第（{number}）项" in text and reason.text in text
        assert all(route in text for route in ALTERNATIVE_ROUTES)
        assert complaint.events.get(action="refuse").note.startswith(f"{reason.article}第（{number}）项")


def test_refusal_with_an_unknown_reason_writes_nothing(entities):
    complaint = make_complaint(Status.RECEIVED)
    events = ComplaintEvent.objects.count()
    with pytest.raises(ValidationFailed):
        services.complaint_refuse(actor=STAFF, complaint=complaint, reason_number=8)  # samr-121 has 7
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED and ComplaintEvent.objects.count() == events


def test_mediation_end_with_its_ground(entities):
    complaint = make_complaint(Status.MEDIATING)
    complaint = services.complaint_mediation_end(actor=STAFF, complaint=complaint, ground_number=5,
                                                 note="双方差距过大")
    reason = RuleReason.objects.get(rule_set__code="samr-121", kind=ReasonKind.END_GROUND, number=5)
    assert complaint.status == Status.MEDIATION_ENDED and complaint.reason == reason
    assert complaint.closed_on == timezone.localdate()
    document = complaint.documents.get(kind=DocumentKind.END_MEDIATION)
    assert "第（5）项" in document.content["paragraphs"][0] and reason.text in document.content["paragraphs"][0]
    # after an ended mediation the dispute can still go to a court
    complaint = services.complaint_refer(actor=STAFF, complaint=complaint, destination="court",
                                         body_name="临河区人民法院", on=timezone.localdate())
    assert complaint.status == Status.REFERRED and complaint.referral_body == "临河区人民法院"


def test_mediation_notice_mentions_recusal_and_session_requires_a_decision(entities):
    complaint = make_complaint(Status.MEDIATING)
    notice = complaint.documents.get(kind=DocumentKind.MEDIATION_NOTICE)
    assert any("回避" in p for p in notice.content["paragraphs"])
    with pytest.raises(ValidationFailed):
        services.complaint_mediation_session_record(
            actor=STAFF, complaint=complaint, held_on=timezone.localdate(), place="调解室", mediator="李调解",
            attendees="双方", summary="申请回避", recusal_requested=True)
    session = services.complaint_mediation_session_record(
        actor=STAFF, complaint=complaint, held_on=timezone.localdate(), place="调解室", mediator="王调解",
        attendees="双方", summary="更换调解人员后继续", recusal_requested=True, recusal_decision="同意回避，改由王调解")
    assert session.recusal_decision.startswith("同意回避")


def test_agreement_amounts(entities):
    complaint = make_complaint(Status.MEDIATING)
    with pytest.raises(ValidationFailed):
        services.complaint_agreement(actor=STAFF, complaint=complaint, settlement_type=SettlementType.COMPENSATION,
                                     terms="赔偿", recovered_amount="100", advance_compensation="200")
    complaint.refresh_from_db()
    assert complaint.status == Status.MEDIATING
    complaint = services.complaint_agreement(
        actor=STAFF, complaint=complaint, settlement_type=SettlementType.ADVANCE_COMPENSATION,
        terms="先行赔付 300 元", recovered_amount="559.90", advance_compensation="300")
    assert complaint.recovered_amount == Decimal("559.90") and complaint.advance_compensation == Decimal("300.00")
    paragraphs = complaint.documents.get(kind=DocumentKind.AGREEMENT).content["paragraphs"]
    assert "挽回经济损失 559.90 元。" in paragraphs and "其中经营者先行赔付 300.00 元。" in paragraphs


def test_testing_pause_is_counted_on_resume(entities, monkeypatch):
    complaint = make_complaint(Status.TESTING)
    assert complaint.pause_started_on == timezone.localdate()
    later = timezone.localdate() + timedelta(days=14)
    monkeypatch.setattr(services, "_today", lambda: later)
    complaint = services.complaint_testing_end(actor=STAFF, complaint=complaint, note="检测完毕")
    assert complaint.status == Status.MEDIATING and complaint.pause_started_on is None
    assert complaint.paused_calendar_days == 14 and complaint.paused_workdays >= 8


def test_a_transition_the_flow_does_not_allow(entities):
    complaint = make_complaint(Status.REFUSED)
    with pytest.raises(TransitionNotAllowed):
        services.complaint_accept(actor=STAFF, complaint=complaint)


# --- rating ----------------------------------------------------------------------------------------------------

def test_rating_only_after_closing_and_only_once(entities):
    complaint = make_complaint(Status.ACCEPTED)
    with pytest.raises(ValidationFailed):
        services.complaint_rate(actor=PUBLIC, complaint=complaint, rating=5)
    complaint = services.complaint_agreement(actor=STAFF, complaint=complaint, settlement_type=SettlementType.REFUND,
                                             terms="退款", recovered_amount="59.90")
    with pytest.raises(ValidationFailed):
        services.complaint_rate(actor=PUBLIC, complaint=complaint, rating=6)
    with pytest.raises(services.PermissionDenied):
        services.complaint_rate(actor=STAFF.__class__(user=None, name="x", role="county_staff"), complaint=complaint,
                                rating=5)
    complaint = services.complaint_rate(actor=PUBLIC, complaint=complaint, rating="4", comment="不错")
    assert complaint.rating == 4 and complaint.rated_at is not None
    with pytest.raises(ValidationFailed):
        services.complaint_rate(actor=PUBLIC, complaint=complaint, rating=1)
    complaint.refresh_from_db()
    assert complaint.rating == 4 and complaint.events.filter(action="rate").count() == 1


# --- notifications ---------------------------------------------------------------------------------------------

def test_notifications_are_queued_only_after_commit(entities, django_capture_on_commit_callbacks):
    complaint = make_complaint(Status.RECEIVED, complainant_email="a@example.cn")
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.complaint_accept(actor=STAFF, complaint=complaint)
    assert Notification.objects.count() == before  # not committed yet: nobody told
    assert callbacks
    for callback in callbacks:
        callback()
    rows = Notification.objects.filter(object_id=complaint.tracking_no, subject="投诉已受理")
    assert {(n.channel, n.recipient) for n in rows} >= {("sms", "13800001234"), ("email", "a@example.cn")}
    assert all(n.status == NotificationStatus.SENT for n in rows)
    assert any("受理" in n.body and "市监诉受" in n.body for n in rows)  # names the acceptance document


def test_a_failed_service_queues_nothing(entities, django_capture_on_commit_callbacks):
    complaint = make_complaint(Status.RECEIVED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationFailed):
        services.complaint_refuse(actor=STAFF, complaint=complaint, reason_number=99)
    assert callbacks == []


def test_failing_backend_leaves_a_failed_row_that_retry_sends(entities, settings,
                                                              django_capture_on_commit_callbacks):
    settings.FANGXIN_NOTIFY_BACKENDS = {"sms": "fangxin.core.notify.FailingBackend",
                                        "email": "fangxin.core.notify.OutboxBackend"}
    with django_capture_on_commit_callbacks(execute=True):
        complaint = make_complaint(Status.RECEIVED)
    failed = Notification.objects.get(object_id=complaint.tracking_no, channel="sms")
    assert failed.status == NotificationStatus.FAILED and failed.attempts == 1
    assert "短信网关不可达" in failed.last_error
    assert Complaint.objects.filter(pk=complaint.pk).exists()  # the business step stands
    settings.FANGXIN_NOTIFY_BACKENDS = {"sms": "fangxin.core.notify.OutboxBackend"}
    out = StringIO()
    call_command("notify", "retry", stdout=out)
    assert "重试成功 1 条" in out.getvalue()
    failed.refresh_from_db()
    assert failed.status == NotificationStatus.SENT and failed.attempts == 2 and failed.last_error == ""
    call_command("notify", "retry", stdout=out)  # idempotent: nothing left to send
    failed.refresh_from_db()
    assert failed.attempts == 2


def test_overdue_flagging_tells_the_unit_head_once_a_day(users, django_capture_on_commit_callbacks):
    head = users["county_a"]
    head.is_unit_head, head.phone = True, "13911112222"
    head.save()
    other = users["county_b"]
    other.is_unit_head, other.phone = True, "13933334444"
    other.save()
    complaint = make_complaint(Status.RECEIVED)
    today = timezone.localdate()
    Complaint.objects.filter(pk=complaint.pk).update(bureau_received_on=today - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        flagged = services.complaint_flag_overdue(actor=STAFF, today=today)
    assert flagged == [complaint.tracking_no]
    to_head = Notification.objects.filter(recipient="13911112222", subject="投诉逾期")
    assert to_head.count() == 1 and complaint.tracking_no in to_head.get().body
    assert not Notification.objects.filter(recipient="13933334444").exists()  # the other county's head
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complaint_flag_overdue(actor=STAFF, today=today) == []
    assert to_head.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complaint_flag_overdue(actor=STAFF, today=today + timedelta(days=1)) == [complaint.tracking_no]
    assert to_head.count() == 2
    event = complaint.events.filter(action="overdue").first()
    assert event is not None and not event.public
