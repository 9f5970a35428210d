"""The staff workbench pages: scope, the queue, each action through the page, privacy, documents, metrics,
stations and the outbox."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fangxin.complaints import services, triage_bridge
from fangxin.complaints.choices import Channel, DocumentKind, Kind, Status
from fangxin.complaints.models import Complaint, ServiceStation
from fangxin.complaints.tests.factories import PUBLIC, make_complaint
from fangxin.core.models import AuditRecord, Notification, NotificationStatus
from fangxin.core.tests import samples
from fangxin.organisation.models import Region

PNG = samples.PNG


def b_complaint(state=Status.RECEIVED, **overrides):
    return make_complaint(state, business_name="五原县华联生鲜超市", region_code="150821", **overrides)


def login(client, users, name):
    client.force_login(users[name])
    return client


def act(client, complaint, action, data=None):
    """Post an action's form as the page does (its fields carry the action name as prefix)."""
    data = {f"{action}-{key}": value for key, value in (data or {}).items()}
    return client.post(reverse("complaints:action", args=[complaint.tracking_no, action]), data, follow=True)


def page_text(response) -> str:
    return response.content.decode("utf-8")


# --- queue ------------------------------------------------------------------------------------------------------

def test_queue_shows_only_the_users_county_with_counts(client, users):
    mine = make_complaint()
    other = b_complaint()
    response = login(client, users, "county_a").get(reverse("complaints:queue"))
    text = page_text(response)
    assert response.status_code == 200
    assert mine.tracking_no in text and other.tracking_no not in text
    assert "本单位待办 <span class=\"count\">1</span>" in text
    assert "剩 " in text and "个工作日" in text


def test_queue_filters_by_text_and_status(client, users):
    first = make_complaint()
    second = make_complaint(Status.REFUSED, business_name="临河区乐购电商旗舰店", description="网购耳机有杂音，要求退货。")
    login(client, users, "county_a")
    text = page_text(client.get(reverse("complaints:queue"), {"tab": "all", "q": "乐购"}))
    assert second.tracking_no in text and first.tracking_no not in text
    text = page_text(client.get(reverse("complaints:queue"), {"tab": "all", "status": Status.RECEIVED}))
    assert first.tracking_no in text and second.tracking_no not in text


def test_overdue_queue_marks_the_deadline_red(client, users):
    late = make_complaint(channel=Channel.HOTLINE, received_on=timezone.localdate() - timedelta(days=30),
                          purchased_on=timezone.localdate() - timedelta(days=40))
    fresh = make_complaint(description="另一件事：洗衣机漏水。")
    text = page_text(login(client, users, "county_a").get(reverse("complaints:queue"), {"tab": "overdue"}))
    assert late.tracking_no in text and fresh.tracking_no not in text
    assert "deadline-overdue" in text and "已逾期" in text


def test_queue_says_when_a_deadline_was_counted_without_the_official_calendar(client, users):
    from datetime import date

    complaint = make_complaint(Status.ACCEPTED)
    # accepted 2026-12-20: the 60-day mediation deadline falls in 2027, which chinese-calendar 1.11 does not cover
    Complaint.objects.filter(pk=complaint.pk).update(accepted_on=date(2026, 12, 20))
    text = page_text(login(client, users, "county_a").get(reverse("complaints:queue"), {"tab": "all"}))
    assert "按周一至周五推算" in text and "2027 年的法定节假日安排尚未录入" in text


def test_auditor_sees_the_queue_read_only(client, users):
    complaint = make_complaint()
    text = page_text(login(client, users, "auditor").get(reverse("complaints:queue")))
    assert complaint.tracking_no in text
    assert "只读" in text and reverse("complaints:staff_new") not in text


# --- detail and scope ---------------------------------------------------------------------------------------------

def test_other_county_gets_404(client, users):
    complaint = make_complaint()
    login(client, users, "county_b")
    assert client.get(reverse("complaints:detail", args=[complaint.tracking_no])).status_code == 404
    response = client.post(reverse("complaints:action", args=[complaint.tracking_no, "accept"]))
    assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_detail_masks_personal_data_and_lists_deadlines(client, users):
    complaint = make_complaint()
    text = page_text(login(client, users, "county_a").get(reverse("complaints:detail", args=[complaint.tracking_no])))
    assert "138****1234" in text and "13800001234" not in text
    assert "张*" in text and "张三" not in text
    assert "作出受理决定" in text and complaint.rule_set.name in text
    assert "查看完整个人信息" in text
    assert f'action="/workbench/complaints/{complaint.tracking_no}/do/accept/"' in text
    assert "do/agreement/" not in text  # not allowed before acceptance


def test_auditor_cannot_post_actions(client, users):
    complaint = make_complaint()
    login(client, users, "auditor")
    text = page_text(client.get(reverse("complaints:detail", args=[complaint.tracking_no])))
    assert "do/accept/" not in text
    assert client.post(reverse("complaints:action", args=[complaint.tracking_no, "accept"])).status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_unknown_action_is_404(client, users):
    complaint = make_complaint()
    response = login(client, users, "county_a").post(reverse("complaints:action", args=[complaint.tracking_no, "explode"]))
    assert response.status_code == 404


# --- actions through the page --------------------------------------------------------------------------------------

def test_accept(client, users):
    complaint = make_complaint()
    response = act(login(client, users, "county_a"), complaint, "accept", {"note": "材料齐全"})
    complaint.refresh_from_db()
    assert complaint.status == Status.ACCEPTED and complaint.assignee == users["county_a"]
    assert "已受理，受理决定书已生成" in page_text(response)
    assert complaint.documents.filter(kind=DocumentKind.ACCEPTANCE).exists()


def test_refuse_with_reason_3(client, users):
    complaint = make_complaint()
    login(client, users, "county_a")
    text = page_text(client.get(reverse("complaints:detail", args=[complaint.tracking_no])))
    assert "第（3）项：不是为生活消费需要" in text
    act(client, complaint, "refuse", {"reason": "3", "note": "经营用途"})
    complaint.refresh_from_db()
    assert complaint.status == Status.REFUSED and complaint.reason.number == 3


def test_refuse_without_reason_shows_the_form_error(client, users):
    complaint = make_complaint()
    text = page_text(act(login(client, users, "county_a"), complaint, "refuse", {"reason": ""}))
    assert "不予受理：不予受理的情形：这个字段是必填项。" in text
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_invalid_transition_shows_the_409_message(client, users):
    complaint = make_complaint(Status.REFUSED)
    text = page_text(act(login(client, users, "county_a"), complaint, "accept"))
    assert "受理未完成：不能从“不予受理”变为“已受理”。" in text
    complaint.refresh_from_db()
    assert complaint.status == Status.REFUSED


def test_transfer_to_another_county(client, users):
    complaint = make_complaint()
    response = act(login(client, users, "county_a"), complaint, "transfer", {"region": "150821", "reason": "经营地在五原县"})
    assert response.redirect_chain[-1][0] == reverse("complaints:queue")
    assert "已分送" in page_text(response)
    complaint.refresh_from_db()
    assert complaint.region.code == "150821"
    assert complaint.documents.filter(kind=DocumentKind.TRANSFER).exists()
    client.force_login(users["county_b"])
    assert client.get(reverse("complaints:detail", args=[complaint.tracking_no])).status_code == 200


def test_transfer_needs_a_destination(client, users):
    complaint = make_complaint()
    text = page_text(act(login(client, users, "county_a"), complaint, "transfer", {"reason": "不属本局"}))
    assert "请选择接收的旗县区或部门。" in text


def test_mediation_session_testing_and_agreement(client, users):
    complaint = make_complaint(Status.ACCEPTED)
    login(client, users, "county_a")
    today = timezone.localdate().isoformat()
    act(client, complaint, "mediation_start", {"held_on": today, "place": "调解室", "mediator": "李调解"})
    complaint.refresh_from_db()
    assert complaint.status == Status.MEDIATING
    act(client, complaint, "mediation_session", {"held_on": today, "place": "调解室", "mediator": "李调解",
                                                  "attendees": "张三、店长", "summary": "双方陈述",
                                                  "recusal_requested": "on", "recusal_decision": "更换调解员"})
    session = complaint.mediation_sessions.get()
    assert session.recusal_requested and session.recusal_decision == "更换调解员"
    act(client, complaint, "testing_start", {"note": "送检牛奶"})
    complaint.refresh_from_db()
    assert complaint.status == Status.TESTING
    text = page_text(client.get(reverse("complaints:detail", args=[complaint.tracking_no])))
    assert "暂停计算" in text
    act(client, complaint, "testing_end", {"note": "检测完毕"})
    complaint.refresh_from_db()
    assert complaint.status == Status.MEDIATING
    act(client, complaint, "agreement", {"settlement_type": "refund", "terms": "退款 59.90 元",
                                          "recovered_amount": "59.90", "advance_compensation": ""})
    complaint.refresh_from_db()
    assert complaint.status == Status.AGREEMENT and complaint.recovered_amount == Decimal("59.90")
    assert complaint.documents.filter(kind=DocumentKind.AGREEMENT).exists()


def test_recusal_without_decision_is_refused_with_message(client, users):
    complaint = make_complaint(Status.ACCEPTED)
    today = timezone.localdate().isoformat()
    text = page_text(act(login(client, users, "county_a"), complaint, "mediation_session", {
        "held_on": today, "place": "调解室", "mediator": "李调解", "attendees": "双方", "summary": "陈述",
        "recusal_requested": "on"}))
    assert "请填写回避的处理结果" in text
    assert not complaint.mediation_sessions.exists()


def test_end_mediation_refer_withdraw(client, users):
    login(client, users, "county_a")
    ended = make_complaint(Status.ACCEPTED)
    act(client, ended, "mediation_end", {"ground": "3", "note": "双方分歧大"})
    ended.refresh_from_db()
    assert ended.status == Status.MEDIATION_ENDED and ended.reason.number == 3
    act(client, ended, "refer", {"destination": "court", "body_name": "临河区人民法院",
                                 "on": timezone.localdate().isoformat()})
    ended.refresh_from_db()
    assert ended.status == Status.REFERRED and ended.referral_body == "临河区人民法院"
    withdrawn = make_complaint(description="另一件投诉：电视机坏了。")
    act(client, withdrawn, "withdraw", {"reason": "已自行解决"})
    withdrawn.refresh_from_db()
    assert withdrawn.status == Status.WITHDRAWN


def test_report_decision(client, users):
    report = make_complaint(Status.REPORT_RECEIVED, kind=Kind.REPORT, demand="")
    assert report.status == Status.REPORT_RECEIVED
    act(login(client, users, "county_a"), report, "report_decide", {"open_case": "1", "note": "线索属实"})
    report.refresh_from_db()
    assert report.status == Status.CASE_OPENED


def test_classify_and_assign(client, users):
    complaint = make_complaint()
    login(client, users, "county_a")
    act(client, complaint, "classify", {"sector": "food_drug", "problem_types": ["quality", "after_sales"]})
    complaint.refresh_from_db()
    assert complaint.classification_confirmed and complaint.sector.code == "food_drug"
    assert complaint.problem_types == ["quality", "after_sales"] and complaint.department is not None
    act(client, complaint, "assign", {"assignee": str(users["county_a"].pk)})
    complaint.refresh_from_db()
    assert complaint.assignee == users["county_a"]


def test_escalate_overdue_operator_complaint(client, users, entities):
    from fangxin.campaign.tests.factories import make_enrollment

    make_enrollment(entities["a_food"])
    early = timezone.localdate() - timedelta(days=40)
    complaint = make_complaint(Status.OPERATOR, channel=Channel.HOTLINE, received_on=early,
                               purchased_on=early - timedelta(days=2))
    assert complaint.status == Status.OPERATOR
    login(client, users, "county_a")
    assert "do/escalate/" in page_text(client.get(reverse("complaints:detail", args=[complaint.tracking_no])))
    act(client, complaint, "escalate")
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_escalate_before_time_is_refused(client, users):
    complaint = make_complaint()
    text = page_text(act(login(client, users, "county_a"), complaint, "escalate"))
    assert "经营者和解期限未到" in text


# --- privacy -------------------------------------------------------------------------------------------------------

def test_personal_reveal_is_audited(client, users):
    complaint = make_complaint()
    login(client, users, "county_a")
    before = AuditRecord.objects.filter(action="complaints.personal_view").count()
    response = client.post(reverse("complaints:personal", args=[complaint.tracking_no]))
    text = page_text(response)
    assert "13800001234" in text and "张三" in text
    record = AuditRecord.objects.filter(action="complaints.personal_view").latest("seq")
    assert AuditRecord.objects.filter(action="complaints.personal_view").count() == before + 1
    assert record.object_id == str(complaint.pk) and record.actor_name == "county_a"


def test_personal_reveal_htmx_returns_the_block(client, users):
    complaint = make_complaint()
    login(client, users, "county_a")
    response = client.post(reverse("complaints:personal", args=[complaint.tracking_no]), HTTP_HX_REQUEST="true")
    text = page_text(response)
    assert text.lstrip().startswith("<section id=\"complainant\"") and "13800001234" in text


def test_city_office_sees_masked_only(client, users):
    complaint = make_complaint()
    login(client, users, "office")
    text = page_text(client.get(reverse("complaints:detail", args=[complaint.tracking_no])))
    assert "查看完整个人信息" not in text and "13800001234" not in text
    response = client.post(reverse("complaints:personal", args=[complaint.tracking_no]), follow=True)
    assert "13800001234" not in page_text(response)
    assert not AuditRecord.objects.filter(action="complaints.personal_view").exists()


def test_export_masks_phone_by_default(client, users):
    make_complaint()
    response = login(client, users, "county_a").get(reverse("complaints:export"), {"tab": "all"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, row = rows[0], rows[1]
    assert row[header.index("联系电话")] == "138****1234"
    assert row[header.index("投诉人")] == "张*"
    assert b"13800001234" not in response.content


def test_export_with_personal_data_only_for_auditor_and_audited(client, users):
    complaint = make_complaint()
    login(client, users, "county_a")
    response = client.get(reverse("complaints:export"), {"tab": "all", "personal": "1"}, follow=True)
    assert "只有能查看全部投诉人个人信息的用户" in page_text(response)
    assert not AuditRecord.objects.filter(action="complaints.export_personal").exists()
    client.force_login(users["auditor"])
    response = client.get(reverse("complaints:export"), {"tab": "all", "personal": "1"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][rows[0].index("联系电话")] == "13800001234"
    record = AuditRecord.objects.get(action="complaints.export_personal")
    assert complaint.tracking_no in record.changes["tracking_nos"][1]


def test_evidence_served_only_in_scope(client, users):
    complaint, _ = services.complaint_submit(
        actor=PUBLIC, channel=Channel.WEB, files=[SimpleUploadedFile("photo.png", PNG, content_type="image/png")],
        data=services.ComplaintInput(complainant_name="张三", complainant_phone="13800001234",
                                     business_name="临河区华联超市", item="牛奶", description="过期牛奶",
                                     demand="退款", region_code="150802"))
    stored = complaint.files.get()
    url = reverse("complaints:evidence", args=[complaint.tracking_no, stored.pk])
    response = login(client, users, "county_a").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(users["county_b"])
    assert client.get(url).status_code == 404


# --- documents ------------------------------------------------------------------------------------------------------

def test_document_print_page_and_pdf(client, users):
    complaint = make_complaint(Status.REFUSED)
    document = complaint.documents.get(kind=DocumentKind.REFUSAL)
    login(client, users, "county_a")
    text = page_text(client.get(reverse("complaints:document", args=[complaint.tracking_no, document.pk])))
    assert document.number in text and "（印章）" in text and "不予受理决定书" in text and "data-print" in text
    response = client.get(reverse("complaints:document_pdf", args=[complaint.tracking_no, document.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    client.force_login(users["county_b"])
    assert client.get(reverse("complaints:document", args=[complaint.tracking_no, document.pk])).status_code == 404


def test_document_masked_for_staff_who_do_not_handle_it(client, users):
    complaint = make_complaint()
    registration = complaint.documents.get(kind=DocumentKind.REGISTRATION)
    login(client, users, "office")
    text = page_text(client.get(reverse("complaints:document", args=[complaint.tracking_no, registration.pk])))
    assert "13800001234" not in text and "138****1234" in text


# --- staff entry and triage pre-fill ----------------------------------------------------------------------------------

def entry_data(**overrides):
    data = {"kind": "complaint", "channel": "hotline", "station": "", "received_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
            "complainant_name": "李四", "complainant_phone": "13900002222", "business_name": "临河区华联超市",
            "item": "大米", "description": "大米生虫，要求退货。", "demand": "退款", "sector": "food_drug",
            "problem_types": ["quality"], "consent_mediation": "on"}
    data.update(overrides)
    return data


def test_staff_entry_hotline(client, users):
    response = login(client, users, "county_a").post(reverse("complaints:staff_new"), entry_data(), follow=True)
    complaint = Complaint.objects.get(complainant_phone="13900002222")
    assert response.redirect_chain[-1][0] == reverse("complaints:detail", args=[complaint.tracking_no])
    assert complaint.channel == Channel.HOTLINE and complaint.received_on == timezone.localdate() - timedelta(days=3)
    assert complaint.classification_confirmed and complaint.problem_types == ["quality"]
    assert f"投诉已登记，编号 {complaint.tracking_no}" in page_text(response)


def test_staff_entry_station_requires_a_station(client, users):
    login(client, users, "county_a")
    response = client.post(reverse("complaints:staff_new"), entry_data(channel="station"))
    assert "请选择受理投诉的维权服务站。" in page_text(response)
    assert not Complaint.objects.exists()
    station = ServiceStation.objects.create(region=Region.objects.get(code="150802"), town="新华街道", name="新华街道维权站",
                                            host="华联超市", address="新华街 1 号", hours="9:00-17:00", contact_phone="0478-1234567")
    client.post(reverse("complaints:staff_new"), entry_data(channel="station", station=str(station.pk)))
    assert Complaint.objects.get().station == station


def test_staff_entry_rejects_a_future_receipt_date(client, users):
    login(client, users, "county_a")
    response = client.post(reverse("complaints:staff_new"),
                           entry_data(received_on=(timezone.localdate() + timedelta(days=1)).isoformat()))
    assert "收到日期不能晚于今天。" in page_text(response)
    assert not Complaint.objects.exists()


def test_staff_entry_page_renders_classification(client, users):
    text = page_text(login(client, users, "county_a").get(reverse("complaints:staff_new")))
    assert "智能分诊" in text and "七日无理由退货" in text and reverse("complaints:triage_prefill") in text


def test_triage_prefill_with_a_suggestion(client, users, monkeypatch):
    seen = {}

    def fake_suggest(text):
        seen["text"] = text
        return {"sector": "food_drug", "problem_types": ["quality", "safety"], "department": "fda",
                "confidence": 0.87, "evidence": ["牛奶", "过期"]}

    monkeypatch.setattr(triage_bridge, "suggest", fake_suggest)
    response = login(client, users, "county_a").post(reverse("complaints:triage_prefill"), {
        "description": "买的牛奶过期了", "business_name": "超市", "item": "牛奶"})
    text = page_text(response)
    assert "牛奶" in seen["text"] and "过期" in seen["text"]
    assert "自动分诊建议，请核对" in text and "87%" in text and "<mark>过期</mark>" in text
    assert '<option value="food_drug" selected>' in text
    assert 'value="quality"' in text and 'value="safety"' in text and text.count("checked") == 2


def test_triage_prefill_without_a_suggestion(client, users, monkeypatch):
    monkeypatch.setattr(triage_bridge, "suggest", lambda text: {})
    text = page_text(login(client, users, "county_a").post(reverse("complaints:triage_prefill"),
                                                           {"description": "不知道说什么"}))
    assert "暂无自动分诊建议" in text


def test_sector_change_shows_the_lead_department(client, users):
    text = page_text(login(client, users, "county_a").post(reverse("complaints:triage_prefill"),
                                                           {"mode": "sector", "sector": "food_drug"}))
    from fangxin.complaints.routing import lead_department
    from fangxin.organisation.models import Sector

    assert lead_department(Sector.objects.get(code="food_drug")).name in text


def test_auditor_cannot_enter_complaints(client, users):
    assert login(client, users, "auditor").get(reverse("complaints:staff_new")).status_code == 404


# --- metrics ----------------------------------------------------------------------------------------------------

def test_metrics_page_shows_hand_computed_numbers(client, users):
    agreement = make_complaint(Status.AGREEMENT)                                    # accepted, closed, settled
    make_complaint(Status.MEDIATION_ENDED, description="第二件：冰箱不制冷。")      # accepted, closed
    make_complaint(Status.ACCEPTED, description="第三件：空调漏水。")               # accepted, open
    make_complaint(Status.REFUSED, description="第四件：经营用途。")                # not accepted
    services.complaint_rate(actor=PUBLIC, complaint=agreement, rating=5)
    text = page_text(login(client, users, "county_a").get(reverse("complaints:metrics")))
    assert 'data-metric="handling_rate">66.7%' in text     # 2 closed ÷ 3 accepted
    assert 'data-metric="success_rate">50.0%' in text      # 1 settled ÷ 2 closed
    assert 'data-metric="satisfaction_rate">100.0%' in text
    assert 'data-metric="operator_share">0.0%' in text
    assert 'data-metric="recovered_amount">559.90 元' in text
    assert "共收到投诉 4 件" in text
    assert "处理率 = 办结数 ÷ 受理数" in text


def test_metrics_is_scoped(client, users):
    make_complaint(Status.AGREEMENT)
    text = page_text(login(client, users, "county_b").get(reverse("complaints:metrics")))
    assert "共收到投诉 0 件" in text


# --- stations ---------------------------------------------------------------------------------------------------

def test_station_create_edit_and_scope(client, users):
    login(client, users, "county_a")
    data = {"region": "150802", "town": "新华街道", "name": "新华街道消费维权服务站", "host": "华联超市",
            "address": "新华街 1 号", "hours": "周一至周五 9:00-17:00", "contact_phone": "0478-1234567", "is_active": "on"}
    response = client.post(reverse("complaints:station_new"), data, follow=True)
    station = ServiceStation.objects.get()
    assert "新华街道消费维权服务站" in page_text(response)
    client.post(reverse("complaints:station_edit", args=[station.pk]), {**data, "hours": "每天 8:00-18:00"})
    station.refresh_from_db()
    assert station.hours == "每天 8:00-18:00"
    assert client.post(reverse("complaints:station_new"), {**data, "region": "150821"}).status_code == 200
    assert ServiceStation.objects.count() == 1  # another county is not a choice for county A
    client.force_login(users["county_b"])
    assert "新华街道消费维权服务站" not in page_text(client.get(reverse("complaints:stations")))
    assert client.get(reverse("complaints:station_edit", args=[station.pk])).status_code == 404


# --- outbox -----------------------------------------------------------------------------------------------------

def test_outbox_scope_and_retry(client, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = make_complaint()
    Notification.objects.create(channel="sms", recipient="13700000000", subject="测试", body="失败的短信",
                                object_type="complaint", object_id=complaint.tracking_no,
                                status=NotificationStatus.FAILED, attempts=1, last_error="ConnectionError")
    login(client, users, "county_a")
    text = page_text(client.get(reverse("complaints:outbox")))
    assert reverse("complaints:detail", args=[complaint.tracking_no]) in text
    assert "13800001234" not in text and "138****1234" in text
    assert "发送失败" in text
    response = client.post(reverse("complaints:outbox_retry"), follow=True)
    assert "成功 1 条" in page_text(response)
    assert not Notification.objects.filter(status=NotificationStatus.FAILED).exists()
    client.force_login(users["county_b"])
    assert complaint.tracking_no not in page_text(client.get(reverse("complaints:outbox")))
    client.force_login(users["auditor"])
    assert client.post(reverse("complaints:outbox_retry")).status_code == 404
    assert "13800001234" in page_text(client.get(reverse("complaints:outbox")))
