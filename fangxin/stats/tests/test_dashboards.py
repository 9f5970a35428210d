"""The goal dashboards: figures from the rollups, scoped to the viewer, each drill-down list counting exactly what
its cell shows, and the XLSX of the same tables."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fangxin.stats import selectors
from fangxin.stats.tests.factories import make_history

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def history(users, entities):
    return make_history(entities)


def test_goal_two_shares_and_scope(client, users, history):
    month = timezone.localdate().month
    office = selectors.goal_two(users["office"], selectors.filters_from())
    lines = {line["county"]: line for line in office["counties"]}
    assert lines["150802"]["operator_settled"] == 1 and lines["150802"]["closed"] == 2
    assert lines["150802"]["share"] == 0.5
    assert lines["150821"]["closed"] == 0 and lines["150821"]["share"] is None
    assert office["month_totals"][month - 1]["closed"] == 2
    by_sector = {line["sector"]: line for line in office["sectors"]}
    food = by_sector["food_drug"]  # the milk shop's; the snack bar's complaint is triaged where the text says
    assert food["operator_settled"] == 1 and food["share"] == round(1 / food["closed"], 4)
    assert sum(line["closed"] for line in office["sectors"]) == 2
    county_b = selectors.goal_two(users["county_b"], selectors.filters_from())
    assert [line["county"] for line in county_b["counties"]] == ["150821"]
    assert county_b["total"]["closed"] == 0
    response = login(client, users["county_a"]).get(reverse("stats:goal_two"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "临河区" in page and "五原县" not in page.split("<table")[1]
    assert "50.0%" in page


def test_goal_four_rates_and_same_month_last_year(users, history):
    data = selectors.goal_four(users["office"], selectors.filters_from())
    month = timezone.localdate().month
    now, before = data["months"][month - 1]["current"], data["months"][month - 1]["previous"]
    assert (now["accepted"], now["closed"], now["settled"]) == (3, 2, 2)
    assert now["handling_rate"] == round(2 / 3, 4) and now["success_rate"] == 1.0 and now["satisfaction_rate"] == 1.0
    assert (before["accepted"], before["closed"], before["ratings"], before["satisfied"]) == (1, 1, 1, 0)
    assert before["satisfaction_rate"] == 0.0 and before["success_rate"] == 0.0
    stations = {s["county"]: s for s in data["stations"]}
    assert stations["150802"]["stations"] == 1 and stations["150802"]["coverage"] == 1.0
    assert stations["150821"]["coverage"] == 0.0


def test_goal_one_heat_map_by_sector_and_county(users, history):
    data = selectors.goal_one(users["office"], selectors.filters_from())
    sectors = [s["code"] for s in data["sectors"]]
    lines = {line["county"]: line for line in data["counties"]}
    assert lines["150802"]["values"][sectors.index("food_drug")] == 1
    assert lines["150821"]["values"][sectors.index("tourism")] == 1
    assert data["total"] == 2
    # a department's businesses are those of the sectors it leads or co-operates in (tourism: not food_drug)
    tourism = selectors.goal_one(users["office"], selectors.filters_from(department="tourism"))
    assert tourism["total"] == 1 and "food_drug" not in [s["code"] for s in tourism["sectors"]]
    only_b = selectors.goal_one(users["office"], selectors.filters_from(county="150821"))
    assert [line["county"] for line in only_b["counties"]] == ["150821"] and only_b["total"] == 1


@pytest.mark.parametrize(("source", "measure", "goal", "pick"), [
    ("complaint", "operator_settled", "two", lambda d: d["counties"][0]["operator_settled"]),
    ("complaint", "closed", "two", lambda d: d["counties"][0]["closed"]),
    ("enrollment", "enrollments", "one", lambda d: d["counties"][0]["total"]),
])
def test_drill_down_lists_exactly_the_cell(client, users, history, source, measure, goal, pick):
    f = selectors.filters_from(county="150802")
    data = getattr(selectors, f"goal_{goal}")(users["office"], f)
    rows = selectors.drill_records(users["office"], f, selectors.drill_from(source=source, measure=measure))
    assert rows.count() == pick(data) > 0
    response = login(client, users["office"]).get(reverse("stats:records"), {
        "source": source, "measure": measure, "county": "150802", "year": f.year})
    assert response.status_code == 200
    assert f'<strong class="records-count">{pick(data)}</strong>' in response.content.decode()


def test_drill_down_respects_scope(client, users, history):
    response = login(client, users["county_b"]).get(reverse("stats:records"), {
        "source": "complaint", "measure": "closed", "county": "150802"})
    assert response.status_code == 404  # another county: as if it did not exist, like the goal pages' filter


def test_xlsx_exports_the_tables(client, users, history):
    login(client, users["office"])
    for name, sheet, expected in (("stats:goal_one_xlsx", "行业×旗县区", "临河区"),
                                  ("stats:goal_two_xlsx", "按旗县区", "临河区"),
                                  ("stats:goal_four_xlsx", "处理情况", "全年")):
        response = client.get(reverse(name), {"county": "150802"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        values = [cell.value for row in book[sheet].iter_rows() for cell in row]
        assert expected in values
    response = client.get(reverse("stats:goal_two_xlsx"), {"county": "150802"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["按旗县区"].iter_rows(values_only=True))
    assert rows[1] == ("临河区", 1, 2, 0.5)


def test_pages_for_staff_and_auditors_only(client, users, history):
    for name in ("stats:goal_one", "stats:goal_two", "stats:goal_four", "stats:records"):
        assert login(client, users["auditor"]).get(reverse(name)).status_code == 200
        assert login(client, users["merchant"]).get(reverse(name)).status_code == 404
    client.logout()
    assert client.get(reverse("stats:goal_one")).status_code == 302


def test_bad_filters_are_messages_not_errors(client, users, history):
    login(client, users["county_a"])
    response = client.get(reverse("stats:goal_two"), {"county": "150821"})  # outside county A's scope
    assert response.status_code == 200
    assert "临河区" in response.content.decode()
    response = client.get(reverse("stats:records"), {"source": "complaint", "measure": "nonsense"})
    assert response.status_code == 200 and "未知的统计口径" in response.content.decode()
    response = client.get(reverse("stats:records"), {"source": "complaint", "measure": "closed", "month": "13"})
    assert "月份须为 1–12" in response.content.decode()


@pytest.mark.parametrize("role", ["county_a", "county_b", "department", "association", "office", "auditor"])
def test_each_roles_figures_equal_the_metrics_over_what_it_may_see(users, history, role):
    """The rollups, narrowed by the viewer's scope, give the same year totals as complaint_metrics over the
    complaints that viewer may see."""
    from datetime import date

    from fangxin.complaints.metrics import complaint_metrics
    from fangxin.complaints.models import Complaint

    user = users[role]
    year = timezone.localdate().year
    for y in (year, year - 1):
        data = selectors.goal_four(user, selectors.filters_from(year=y))["total"]["current"]
        m = complaint_metrics(start=date(y, 1, 1), end=date(y, 12, 31), queryset=Complaint.objects.visible_to(user))
        assert (data["accepted"], data["closed"], data["settled"], data["ratings"], data["satisfied"]) == (
            m.accepted, m.closed, m.settled, m.ratings, m.satisfied), (role, y)
        two = selectors.goal_two(user, selectors.filters_from(year=y))["total"]
        assert (two["operator_settled"], two["closed"]) == (m.operator_settled, m.closed)


@pytest.mark.django_db
def test_drilling_into_another_county_is_a_404(client, users, entities):
    client.force_login(users["county_a"])  # 临河区
    url = reverse("stats:records")
    params = {"year": "2026", "source": "complaint", "measure": "accepted"}
    assert client.get(url, {**params, "county": "150802"}).status_code == 200
    assert client.get(url, {**params, "county": "150821"}).status_code == 404
