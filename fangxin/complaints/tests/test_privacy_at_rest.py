"""Personal data at rest: the raw database holds no plaintext name, phone, ID number, email or address of a
complainant, a fake-badge reporter or an objector (issue 10 item 6), while the application reads them normally."""

from datetime import date

import pytest
from django.db import connection
from django.test import TestCase

from fangxin.campaign import services as campaign_services
from fangxin.campaign.models import BadgeReport
from fangxin.campaign.titles import services as title_services
from fangxin.campaign.titles.models import Objection
from fangxin.campaign.titles.tests.factories import make_application, open_cycle, sign_both, standard_for
from fangxin.complaints import selectors, services
from fangxin.complaints.choices import SettlementType
from fangxin.complaints.models import Complaint, ComplaintDocument, MediationSession
from fangxin.complaints.tests.factories import PUBLIC, STAFF, complaint_input
from fangxin.core import crypto
from fangxin.core.actors import Actor
from fangxin.core.exceptions import ValidationFailed
from fangxin.core.models import Notification

NAME, PHONE, ID_NUMBER = "欧阳明珠", "13987654321", "11010519491231002X"
EMAIL, ADDRESS = "ouyang.mingzhu@example.cn", "临河区胜利路八十八号幸福小区三栋"
OBJECTOR, OBJECTOR_PHONE, REPORTER_PHONE = "司马光辉", "13711112222", "13622223333"
SECRETS = [NAME, PHONE, ID_NUMBER, EMAIL, ADDRESS, OBJECTOR, OBJECTOR_PHONE, REPORTER_PHONE,
           PHONE[-8:], ID_NUMBER[:14]]  # parts too: a column must not keep a recognisable fragment


def _complaint_with_everything() -> Complaint:
    """Submitted, accepted, mediated and settled: registration and agreement documents, a mediation record and
    consumer notifications all exist. The consumer repeats the phone and ID number in the free text."""
    data = complaint_input(
        complainant_name=NAME, complainant_phone=PHONE, complainant_email=EMAIL, complainant_address=ADDRESS,
        complainant_id_number=ID_NUMBER,
        description=f"买到过期牛奶，商家拒绝退货。我的电话 {PHONE}，身份证 {ID_NUMBER}，住{ADDRESS}。",
        demand=f"退款，请联系 {PHONE}")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the consumer's SMS and email reach the outbox
        complaint, _ = services.complaint_submit(actor=PUBLIC, data=data, channel="web")
        complaint = services.complaint_accept(actor=STAFF, complaint=complaint)
        complaint = services.complaint_mediation_start(actor=STAFF, complaint=complaint, held_on=date.today(),
                                                       place="临河区市场监管局调解室", mediator="李调解")
        services.complaint_mediation_session_record(
            actor=STAFF, complaint=complaint, held_on=date.today(), place="调解室", mediator="李调解",
            attendees=f"投诉人{NAME}；商家代表", summary=f"{NAME}到场，电话 {PHONE}")
        complaint = services.complaint_agreement(actor=STAFF, complaint=complaint,
                                                 settlement_type=SettlementType.REFUND, terms="退款 59.90 元",
                                                 recovered_amount="59.90")
    assert Notification.objects.filter(object_id=complaint.tracking_no, recipient_kind="consumer").count() >= 2
    return complaint


def _objection(users, entities) -> Objection:
    cycle = open_cycle()
    standard_for(entities["a_food"])
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    title_services.publicity_open(actor=Actor.for_user(users["association"]), cycle=cycle, level="county",
                                  region=application.region)
    return title_services.objection_file(actor=Actor.system("public"), application=application, name=OBJECTOR,
                                         contact_phone=OBJECTOR_PHONE, content="该店出售过期食品")


def _raw_database_text() -> dict[str, list[str]]:
    """Every value of every table, as the database returns it to anyone with a cursor (or a backup file)."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            found[table] = [str(value) for row in cursor.fetchall() for value in row if value is not None]
    return found


def test_the_raw_database_holds_no_plaintext_personal_data(users, entities):
    complaint = _complaint_with_everything()
    report = campaign_services.badge_report_create(actor=Actor.system("public"), token="FX-NOT-A-BADGE",
                                                   where_seen="临河区某超市", description="门口贴着放心消费标志",
                                                   contact_phone=REPORTER_PHONE)
    objection = _objection(users, entities)

    raw = _raw_database_text()
    # the scan sees what is not personal (so an empty result below means something)
    assert any("纯牛奶一箱" in value for value in raw["complaints_complaint"])
    assert any(v.startswith("fx1.") for v in raw["campaign_objection"] + raw["campaign_badgereport"])
    assert Notification.objects.filter(recipient=PHONE).exists() and Notification.objects.filter(recipient=EMAIL)
    leaks = [(table, secret) for table, values in raw.items() for value in values for secret in SECRETS
             if secret in value]
    assert leaks == []

    # ... while the application reads every value as typed
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.complainant_name, complaint.complainant_phone, complaint.complainant_id_number,
            complaint.complainant_email, complaint.complainant_address) == (NAME, PHONE, ID_NUMBER, EMAIL, ADDRESS)
    assert PHONE in complaint.description and ID_NUMBER in complaint.description
    assert ComplaintDocument.objects.filter(complaint=complaint).count() >= 2
    assert any(NAME in p for d in complaint.documents.all() for p in d.content["paragraphs"])
    assert NAME in MediationSession.objects.get(complaint=complaint).attendees
    assert BadgeReport.objects.get(pk=report.pk).contact_phone == REPORTER_PHONE
    assert (Objection.objects.get(pk=objection.pk).name, Objection.objects.get(pk=objection.pk).contact_phone) == (
        OBJECTOR, OBJECTOR_PHONE)


def test_staff_find_a_complaint_by_the_full_phone_through_the_blind_index(users):
    complaint = _complaint_with_everything()
    with connection.cursor() as cursor:
        cursor.execute("SELECT complainant_phone, complainant_phone_index FROM complaints_complaint WHERE id = %s",
                       [complaint.pk])
        sealed, index = cursor.fetchone()
    assert sealed.startswith("fx1.") and index == crypto.blind_index(PHONE, "complainant_phone")
    found = selectors.filter_rows(selectors.visible(users["county_a"]), {"q": "139-8765-4321"})
    assert list(found) == [complaint]
    assert not selectors.filter_rows(selectors.visible(users["county_a"]), {"q": "13987654320"}).exists()
    assert Complaint.objects.filter(complainant_phone=PHONE).get() == complaint


@pytest.mark.parametrize(("typed", "message"), [
    ("11010519491231002", "应为 18 位"),
    ("110105194912310021", "校验位不正确"),
    ("11010519491331002X", "出生日期不存在"),
    ("1101051949123100AX", "前 17 位应为数字"),
])
def test_a_wrong_id_number_is_refused_with_a_chinese_message(typed, message):
    with pytest.raises(ValidationFailed, match=message) as caught:
        services.complaint_submit(actor=PUBLIC, data=complaint_input(complainant_id_number=typed), channel="web")
    assert caught.value.details == {"field": "complainant_id_number"}


def test_the_id_number_is_optional_and_normalised(db, reference):
    complaint, _ = services.complaint_submit(actor=PUBLIC, data=complaint_input(), channel="web")
    assert complaint.complainant_id_number == ""
    complaint, _ = services.complaint_submit(
        actor=PUBLIC, data=complaint_input(complainant_id_number=" 11010519491231002x ", description="另一件事"),
        channel="web")
    assert Complaint.objects.get(pk=complaint.pk).complainant_id_number == ID_NUMBER


def test_the_public_form_and_the_personal_view_carry_the_id_number(client, users):
    from django.urls import reverse

    page = client.get(reverse("complaints:file"))
    assert 'name="complainant_id_number"' in page.content.decode()
    complaint, _ = services.complaint_submit(actor=PUBLIC, data=complaint_input(complainant_id_number=ID_NUMBER),
                                             channel="web")
    details = services.complaint_personal_view(actor=Actor.for_user(users["county_a"]), complaint=complaint)
    assert details["id_number"] == ID_NUMBER
