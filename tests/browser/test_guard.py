"""The guard itself: it must notice a CSP violation and a request that leaves the machine, or every other
browser test's silence about them means nothing."""

import pytest

from .conftest import axe_violations

pytestmark = pytest.mark.browser


def test_guard_reports_csp_violations_and_foreign_requests(users, live_server, desktop_page, browser_guard):
    page = desktop_page

    def tamper(route):
        response = route.fetch()
        body = response.text().replace(
            "</body>", '<script>document.title = "injected"</script>'
                       '<img alt="" src="http://example.invalid/pixel.png"></body>')
        route.fulfill(response=response, body=body)

    page.route(live_server.url + "/", tamper)
    page.route("http://example.invalid/**", lambda route: route.abort())
    page.goto("/")
    page.wait_for_load_state("networkidle")

    problems = list(browser_guard.problems)
    browser_guard.problems.clear()  # they were provoked on purpose
    assert page.title() != "injected", "the site's CSP did not block an inline script"
    assert any(p.startswith("CSP violation") for p in problems), problems
    assert any("non-loopback" in p and "example.invalid" in p for p in problems), problems


def test_axe_reports_a_violation(users, desktop_page):
    desktop_page.goto("/")
    assert axe_violations(desktop_page) == []
    desktop_page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<button></button>')")
    assert [v["id"] for v in axe_violations(desktop_page)] == ["button-name"]
