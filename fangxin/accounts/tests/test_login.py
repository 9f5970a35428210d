import pytest
from django.urls import reverse

from fangxin.accounts.tests.factories import PASSWORD
from fangxin.core.models import AuditRecord


def test_production_hashes_passwords_with_argon2():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_login_lands_on_the_workbench_and_is_audited(client, users):
    response = client.post(reverse("accounts:login"), {"username": "county_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")
    assert AuditRecord.objects.filter(action="accounts.login", object_id=str(users["county_a"].pk)).exists()
    home = client.get(reverse("workbench:home")).content.decode()
    assert "旗县区工作人员" in home and "临河区" in home


@pytest.mark.django_db
def test_five_failures_lock_the_username_from_that_address(client, users):
    for _ in range(4):
        page = client.post(reverse("accounts:login"), {"username": "county_a", "password": "wrong-password"})
        assert "用户名或密码不正确" in page.content.decode()
    locked = client.post(reverse("accounts:login"), {"username": "county_a", "password": "wrong-password"})
    assert "账号已暂时锁定" in locked.content.decode()
    again = client.post(reverse("accounts:login"), {"username": "county_a", "password": PASSWORD})
    assert "账号已暂时锁定" in again.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="accounts.lockout").exists()
    other = client.post(reverse("accounts:login"), {"username": "county_b", "password": PASSWORD})
    assert other.status_code == 302


@pytest.mark.django_db
def test_logout_needs_post_and_ends_the_session(client, users):
    client.force_login(users["office"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("workbench:home")).status_code == 302


@pytest.mark.django_db
def test_pages_send_security_headers_and_a_strict_csp(client, reference):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_csrf_is_enforced_on_login(users):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "county_a", "password": PASSWORD})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


@pytest.mark.django_db
def test_admin_edits_are_audited_with_before_and_after(client, users):
    from fangxin.organisation.models import Department

    client.force_login(users["sysadmin"])
    department = Department.objects.get(code="amr")
    response = client.post(reverse("admin:organisation_department_change", args=[department.pk]),
                           {"code": "amr", "name": "市市场监督管理局", "note": department.note, "is_active": "on"})
    assert response.status_code == 302
    record = AuditRecord.objects.filter(action="organisation.department.update").latest("seq")
    assert record.changes == {"name": ["市工商质监局", "市市场监督管理局"]}
    assert record.actor_name == "sysadmin" and record.actor_role == "sysadmin"
