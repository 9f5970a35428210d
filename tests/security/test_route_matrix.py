"""Route x role matrix (issue 10 item 2): every page and API operation, tried by every role and anonymously.

The routes come from the URL configuration and the OpenAPI document, never from a hand-kept list, so a new route
with no row in route_matrix.EXPECTED fails `test_every_route_has_a_row`. One world (tests/security/world.py) is
built per module; writes run in savepoints that are rolled back, reads are checked not to write audit records.
"""

import pytest
from django.core.cache import cache
from django.db import transaction

from fangxin.core.models import AuditRecord

from . import sweep
from .route_matrix import EXPECTED, ROLES
from .world import build


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_every_route_has_a_row():
    keys = [route.key for route in sweep.all_routes()]
    missing = [key for key in keys if key not in EXPECTED]
    stale = sorted(set(EXPECTED) - set(keys))
    assert not missing, "routes with no row in tests/security/route_matrix.py EXPECTED:\n  " + "\n  ".join(missing)
    assert not stale, "rows for routes that no longer exist:\n  " + "\n  ".join(stale)
    assert len(keys) == len(set(keys))


def test_the_table_and_the_url_configuration_cover_every_pattern():
    """Each URL pattern is a page row, part of the admin family, or an API route (served by the OpenAPI paths)."""
    patterns = sweep.url_patterns()
    pages = {route.key for route in sweep.page_routes()}
    for text, name in patterns:
        assert text.startswith(("admin/", "api/")) or f"page {name}" in pages, (text, name)
    assert any(key.startswith("admin ") for key in EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(world, role):
    client = sweep.client_for(role, world)
    audit_before = AuditRecord.objects.count()
    unexpected = []
    for route in sweep.all_routes():
        cache.clear()  # rate limits (tracking lookups, forms) must not turn a later cell into a 429
        got = sweep.attempt(client, route, sweep.resolve(route, world))
        expected = EXPECTED[route.key][ROLES.index(role)]
        if got != expected:
            unexpected.append(f"{route.key} as {role}: got {got}, expected {expected}")
    assert not unexpected, f"{len(unexpected)} unexpected outcome(s):\n  " + "\n  ".join(unexpected)
    # Writes were rolled back; every GET ran for real: none of them may have left an audit record behind.
    assert AuditRecord.objects.count() == audit_before, f"a GET as {role} wrote audit records"


COUNTY_A_PAGES = ["complaints:detail", "complaints:document", "complaints:document_pdf"]
COUNTY_A_API = ["/api/v1/complaints/{tracking_no}", "/api/v1/entities/{uscc}", "/api/v1/credit/ledger/{uscc}",
                "/api/v1/alerts/warnings/{warning_id}"]


@pytest.mark.django_db
def test_county_b_gets_404_for_county_a_objects_where_county_a_gets_200(world):
    routes = {route.key: route for route in sweep.all_routes()}
    keys = [f"page {name}" for name in COUNTY_A_PAGES] + [f"api GET {path}" for path in COUNTY_A_API]
    clients = {role: sweep.client_for(role, world) for role in ("county_a", "county_b")}
    for key in keys:
        url = sweep.resolve(routes[key], world)
        assert sweep.attempt(clients["county_a"], routes[key], url) == "200", key
        assert sweep.attempt(clients["county_b"], routes[key], url) == "404", key
    # The same holds for a write: county B cannot act on county A's complaint (404, not 403 or 409).
    action = routes["api POST /api/v1/complaints/{tracking_no}/actions/{action}"]
    assert sweep.attempt(clients["county_b"], action, sweep.resolve(action, world)) == "404"


@pytest.mark.django_db
def test_a_get_that_writes_would_be_caught(world):
    """The audit count check above is live: a request that records something changes it."""
    from fangxin.core import audit
    from fangxin.core.actors import Actor

    before = AuditRecord.objects.count()
    with transaction.atomic():
        audit.record(actor=Actor.system("route-matrix"), action="test.matrix.probe", obj=world.users["office"],
                     changes={})
    assert AuditRecord.objects.count() == before + 1
