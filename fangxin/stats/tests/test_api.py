"""The stats API returns the dashboards' series, in the caller's scope, with structured errors."""

import pytest
from django.utils import timezone

from fangxin.stats.tests.factories import make_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(users, entities):
    return make_history(entities)
API = "/api/v1/stats/goals"


def test_series_match_the_dashboards(client, users, history):
    client.force_login(users["office"])
    body = client.get(f"{API}/two").json()
    lines = {line["county"]: line for line in body["counties"]}
    assert (lines["150802"]["operator_settled"], lines["150802"]["closed"], lines["150802"]["share"]) == (1, 2, 0.5)
    four = client.get(f"{API}/four", {"county": "150821"}).json()
    month = timezone.localdate().month
    assert four["months"][month - 1]["previous"]["ratings"] == 1
    assert four["filters"]["county"] == "150821"
    one = client.get(f"{API}/one", {"measure": "enrollments"}).json()
    assert one["total"] == 2


def test_scope_and_errors(client, users, history):
    client.force_login(users["county_b"])
    body = client.get(f"{API}/two").json()
    assert [line["county"] for line in body["counties"]] == ["150821"] and body["total"]["closed"] == 0
    response = client.get(f"{API}/two", {"county": "999999"})
    assert response.status_code == 422 and response.json()["error"]["details"]["field"] == "county"
    response = client.get(f"{API}/one", {"measure": "nonsense"})
    assert response.status_code == 422
    client.force_login(users["merchant"])
    assert client.get(f"{API}/four").status_code == 403
    client.logout()
    assert client.get(f"{API}/four").status_code == 401
