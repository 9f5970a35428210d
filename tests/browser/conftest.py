"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test opens is watched: a console error, an uncaught page error, a Content-Security-Policy
violation ("Refused to ...") or a request to anything but the live server (or data:/about:) fails the test
after its body has run. A test that expects an error response (a 404 page, the lockout page's 429) says so
with ``browser_guard.allow(r"status of 404")``.

The contexts keep the site's CSP enforced (no ``bypass_csp``): bypassing it would also silence the CSP
violations this guard exists to catch. axe-core is injected instead as a same-origin script whose URL is
answered by a Playwright route from node_modules, which ``script-src 'self'`` allows.
"""

import contextlib
import os
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an asyncio loop in the main thread; Django would refuse ORM calls there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_DIR = Path(__file__).resolve().parents[2]
AXE_JS = REPO_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__browser-tests__/axe.min.js"  # never served by Django: answered by a route (axe_violations)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "correct-horse-battery-9"  # fangxin.accounts.tests.factories.PASSWORD

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
TIMEOUT_MS = 10_000

# Chromium 156 words a blocked inline script "Executing inline script violates the following Content Security
# Policy directive ..." (older versions: "Refused to execute ..."); the listener below reports every
# violation in one wording whatever the browser's own message says.
CSP_MESSAGE = re.compile(r"Refused to|Content Security Policy")
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  `Refused to load ${e.blockedURI || "inline code"}: Content Security Policy ${e.effectiveDirective} ` +
  `(${e.sourceFile || location.href}:${e.lineNumber})`));
"""


# --- one browser per session (per xdist worker) -----------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# --- the guard ----------------------------------------------------------------------------------------

@dataclass
class BrowserGuard:
    """Records what the pages of one test did wrong; checked after the test body (see the hook below)."""

    base_url: str
    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)
    pages: list = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Tolerate console errors matching `pattern` (e.g. the 404 an error-page test asks for)."""
        self.allowed.append(re.compile(pattern))

    def is_local(self, url: str) -> bool:
        return (url == self.base_url or url.startswith(self.base_url + "/")
                or url.startswith(("data:", "about:")))

    def watch(self, context, page) -> None:
        self.pages.append(page)
        context.on("request", self._on_request)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught page error on {page.url}: {error}"))

    def _on_request(self, request) -> None:
        if not self.is_local(request.url):
            self.problems.append(f"request to a non-loopback URL: {request.method} {request.url}")

    def _on_console(self, message) -> None:
        text = message.text
        if CSP_MESSAGE.search(text):  # CSP violations are never allowed
            self.problems.append(f"CSP violation: {text}")
        elif message.type == "error" and not any(p.search(text) for p in self.allowed):
            location = message.location.get("url", "") if message.location else ""
            self.problems.append(f"console error ({location}): {text}")

    def unexpected(self) -> list[str]:
        return list(self.problems)

    def save_failure_screenshots(self, test_name: str) -> None:
        safe = re.sub(r"[^\w.-]+", "_", test_name)
        for number, page in enumerate(self.pages, 1):
            # The page may be closed or crashed; the test's own failure matters more than its picture.
            with contextlib.suppress(Exception):
                screenshot(page, f"failed-{safe}-{number}")


@pytest.fixture
def browser_guard(request, live_server):
    guard = BrowserGuard(base_url=live_server.url.rstrip("/"))
    request.node._browser_guard = guard
    return guard


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    guard = getattr(item, "_browser_guard", None)
    try:
        result = yield
    except BaseException:
        if guard is not None:  # keep what the browser saw next to the body's own failure
            guard.save_failure_screenshots(item.name)
            if guard.unexpected():
                item.add_report_section("call", "browser", "\n".join(guard.unexpected()))
        raise
    if guard is not None and guard.unexpected():
        guard.save_failure_screenshots(item.name)
        pytest.fail("the browser reported problems:\n  - " + "\n  - ".join(guard.unexpected()), pytrace=False)
    return result


# --- pages ----------------------------------------------------------------------------------------------

def new_watched_page(browser, guard: BrowserGuard, **options):
    """A fresh context and page (Chinese locale, Beijing time) that `guard` watches; for a test that needs a
    second person, e.g. a consumer beside the merchant. Returns (context, page); close the context at the end."""
    context = browser.new_context(**{"locale": "zh-CN", "timezone_id": "Asia/Shanghai",
                                     "base_url": guard.base_url, **options})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    guard.watch(context, page)
    return context, page


def _new_page(browser, guard: BrowserGuard, options: dict):
    """The earlier name and signature of new_watched_page, kept for the tests that import it."""
    return new_watched_page(browser, guard, **options)


@pytest.fixture
def desktop_page(browser, browser_guard):
    context, page = new_watched_page(browser, browser_guard, **DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, browser_guard):
    context, page = new_watched_page(browser, browser_guard, **PHONE)
    yield page
    context.close()


# --- helpers ----------------------------------------------------------------------------------------------

def screenshot(page, name: str) -> Path:
    directory = Path(settings.FANGXIN_VAR_DIR) / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_AXE_ROUTED: "weakref.WeakSet" = weakref.WeakSet()


def _serve_axe(route) -> None:
    route.fulfill(path=str(AXE_JS), content_type="application/javascript")


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) and return its serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        if page.context not in _AXE_ROUTED:  # any context, including one a test made itself
            page.context.route("**" + AXE_PATH, _serve_axe)
            _AXE_ROUTED.add(page.context)
        origin = page.evaluate("() => location.origin")
        page.add_script_tag(url=origin + AXE_PATH)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS)
    return [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = ["; ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        lines.append(f"{v['id']} [{v['impact']}] {v['help']} — {len(v['nodes'])} element(s), e.g. {targets}")
    return "\n  ".join(lines)


def axe_check(page) -> list[dict]:
    """Assert axe finds no serious or critical WCAG 2.1 AA violation on the current page."""
    violations = axe_violations(page)
    assert not violations, f"axe violations on {page.url}:\n  {describe_violations(violations)}"
    return violations


def click_and_wait(page, locator) -> None:
    """Click something that loads a new page, and return once that page has loaded."""
    with page.expect_navigation():
        locator.click()


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    click_and_wait(page, page.get_by_role("button", name="登录", exact=True))
