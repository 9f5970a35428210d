"""The counties' coordination mechanisms (goal 一): who may record them, validation, audit, and the goal page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.stats import selectors, services
from fangxin.stats.models import CoordinationMechanism

pytestmark = pytest.mark.django_db


def record(user, county="150802", **overrides):
    values = {"established_on": date(2026, 3, 1), "document_no": "临政办发〔2026〕12 号", "members": "市场监管局、公安局"}
    values.update(overrides)
    return services.mechanism_record(actor=Actor.for_user(user), county_code=county, **values)


def test_office_records_any_county_and_a_second_record_corrects(users):
    first = record(users["office"], "150821")
    assert first.recorded_by == "office"
    again = record(users["office"], "150821", document_no="五政办发〔2026〕3 号")
    assert again.pk == first.pk and CoordinationMechanism.objects.count() == 1
    actions = list(AuditRecord.objects.filter(object_type="stats.coordinationmechanism").order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["stats.mechanism.create", "stats.mechanism.update"]


def test_county_staff_record_only_their_own_county(users):
    record(users["county_a"], "150802")
    with pytest.raises(PermissionDenied):
        record(users["county_a"], "150821")
    for role in ("department", "association", "auditor"):
        with pytest.raises(PermissionDenied):
            record(users[role], "150802")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"document_no": " "}, "document_no"), ({"established_on": None}, "established_on"),
    ({"established_on": timezone.localdate() + timedelta(days=3)}, "established_on"), ({"members": "部" * 301}, "members"),
])
def test_validation(users, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        record(users["office"], **overrides)
    assert caught.value.details["field"] == field


def test_goal_one_counts_the_mechanisms_in_place_by_year_end(users):
    record(users["office"], "150802", established_on=date(2025, 6, 1))
    record(users["office"], "150821", established_on=timezone.localdate())
    this_year = selectors.goal_one(users["office"], selectors.filters_from())
    assert this_year["mechanisms_in_place"] == 2 and len(this_year["mechanisms"]) == 7
    last_year = selectors.goal_one(users["office"], selectors.filters_from(year=timezone.localdate().year - 1))
    assert last_year["mechanisms_in_place"] == 1
    county_b = selectors.goal_one(users["county_b"], selectors.filters_from())
    assert [m["county"] for m in county_b["mechanisms"]] == ["150821"]


def test_the_page_records_and_lists(client, users):
    client.force_login(users["county_a"])
    page = client.get(reverse("stats:mechanisms")).content.decode()
    assert '<option value="150802">临河区</option>' in page and "150821" not in page
    response = client.post(reverse("stats:mechanisms"), {
        "county": "150802", "established_on": "2026-02-01", "document_no": "临政办发〔2026〕9 号", "members": "",
        "note": ""})
    assert response.status_code == 302
    assert CoordinationMechanism.objects.get().document_no == "临政办发〔2026〕9 号"
    response = client.post(reverse("stats:mechanisms"), {
        "county": "150802", "established_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "document_no": "x"})
    assert "建立日期不能晚于今天" in response.content.decode()
    client.force_login(users["auditor"])  # reads, records nothing
    page = client.get(reverse("stats:mechanisms")).content.decode()
    assert "临政办发〔2026〕9 号" in page and "登记或更正" not in page
