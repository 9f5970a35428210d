"""With CSRF enforced, as on a real server (Django's test client normally skips it): a department token may write
through the API without a CSRF token, a signed-in browser session may not."""

import pytest
from django.test import Client

from fangxin.accounts.services import api_token_create
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.core.actors import Actor
from fangxin.organisation.models import Department, Region

pytestmark = pytest.mark.django_db


def _suspend(client: Client, serial: str, **headers):
    return client.post(f"/api/v1/enrollments/{serial}/status", {"to_status": "suspended", "reason": "核查"},
                       content_type="application/json", headers=headers)


def test_a_token_writes_without_csrf_and_a_session_needs_it(users, entities):
    enrollment = make_enrollment(entities["a_food"])
    _, token = api_token_create(actor=Actor.system("test"), name="对接", department=Department.objects.get(code="fda"),
                                region=Region.objects.get(code="150800"))
    integration = Client(enforce_csrf_checks=True)
    assert _suspend(integration, enrollment.serial, Authorization=f"Bearer {token}").status_code == 200

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["county_a"])
    refused = _suspend(browser, enrollment.serial)
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "CSRF check Failed"
    enrollment.refresh_from_db()
    assert enrollment.status == "suspended"
