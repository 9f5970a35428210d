"""schemathesis against /api/v1/openapi.json through the WSGI application (no network), issue 10 item 3.

Every operation of the document is fuzzed twice: anonymously and as the joint-meeting office (a signed-in session
with a CSRF token, so writes reach the view). Checks: no 5xx, status codes documented, content type and body as
the schema says. Examples per operation are bounded (MAX_EXAMPLES) and derandomised so that CI is reproducible and
the whole run stays well under two minutes on one core. The figures go to var/reports/schemathesis.txt.
"""

from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .world import build

MAX_EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
REPORT = Path(django_settings.FANGXIN_VAR_DIR) / "reports" / "schemathesis.txt"


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


def office_credentials(world) -> dict:
    """A real session cookie for the office user, plus a CSRF cookie/header pair (the API checks CSRF on writes).
    Passed as `cookies=`: the WSGI test client keeps its own cookie jar and ignores a hand-written Cookie header."""
    client = Client()
    client.force_login(world.users["office"])
    csrf = _get_new_csrf_string()
    return {"cookies": {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                        django_settings.CSRF_COOKIE_NAME: csrf},
            "headers": {"X-CSRFToken": csrf}}


def fuzz(operation, who: str, credentials: dict, tally: dict) -> str | None:
    """Run one operation's examples; the first failure's text, or None."""

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        cache.clear()  # rate limits are tested elsewhere; here they would only hide the operation behind a 429
        tally["cases"] += 1
        with transaction.atomic():  # one savepoint per case: a failed write never poisons the next case
            response = case.call(**credentials)
        kind = "read" if case.method.upper() in ("GET", "HEAD") else "write"
        statuses = tally["statuses"].setdefault(f"{who} {kind}", {})
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except BaseException as exc:  # schemathesis raises exception groups; all failures are reported together below
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return f"{operation.label}: {type(exc).__name__}: {str(exc)[:600]}"
    return None


@pytest.fixture
def keep_connection():
    """A bare WSGI call ends with request_finished, which closes the connection the test's transaction lives on;
    Django's own test client disconnects the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_api_operation_survives_fuzzing_and_answers_as_documented(world, keep_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    tally = {"operations": len(operations), "cases": 0, "statuses": {}}
    failures = []
    for who, credentials in (("anonymous", {}), ("office", office_credentials(world))):
        for operation in operations:
            failure = fuzz(operation, who, credentials, tally)
            if failure:
                failures.append(f"[{who}] {failure}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    summary = (f"schemathesis {schemathesis.__version__}: {tally['operations']} operations, "
               f"{tally['cases']} cases (max {MAX_EXAMPLES} examples per operation, anonymous and office), "
               f"{len(failures)} failing operation runs\n")
    statuses = "".join(f"  {group}: " + ", ".join(f"{code}×{n}" for code, n in sorted(counts.items())) + "\n"
                       for group, counts in sorted(tally["statuses"].items()))
    REPORT.write_text(summary + statuses + "".join(f"{line}\n" for line in failures), encoding="utf-8")
    print(summary + statuses)
    assert tally["operations"] >= 80 and tally["cases"] >= tally["operations"]
    # The office's session and CSRF pair must work, or its fuzzing would only see what the anonymous client sees.
    for group in ("office read", "office write"):
        assert 401 not in tally["statuses"].get(group, {}), tally["statuses"]
    assert not failures, f"{len(failures)} operation run(s) failed:\n" + "\n".join(failures)
