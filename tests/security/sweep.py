"""Enumerate every route (URL configuration and OpenAPI document) and try each one as each role.

Used by test_route_matrix.py; ``python -m tests.security.sweep`` is not offered on purpose: the expected table
(route_matrix.py) is written and reviewed by hand, never regenerated from what the code happens to do.
"""

import json
import re
from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fangxin.api.api import api

from .world import World, url_kwargs

ROLES = ["anonymous", "merchant", "county_a", "county_b", "department", "association", "office", "auditor",
         "sysadmin"]
ADMIN_URLS = ["/admin/", "/admin/accounts/user/", "/admin/core/auditrecord/", "/admin/organisation/region/"]
API_PREFIX = "/api/v1"
UNSAFE = {"post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Route:
    key: str          # what the table is keyed by: "page <name>", "admin <url>", "api <METHOD> <path>"
    method: str
    url: str
    params: tuple = ()


def _walk(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), ":".join(filter(None, [namespace, pattern.name or ""])), pattern


def url_patterns() -> list[tuple[str, str]]:
    """(route text, qualified name) of every pattern in the URL configuration."""
    return [(text, name) for text, name, _ in _walk(get_resolver())]


def page_routes() -> list[Route]:
    """Every named page outside /admin/ and /api/ (those two are families of their own)."""
    routes = []
    for text, name, pattern in _walk(get_resolver()):
        if text.startswith(("admin/", "api/")):
            continue
        if not pattern.name:
            raise AssertionError(f"unnamed URL pattern {text!r}: the route matrix keys pages by name")
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", text))
        routes.append(Route(key=f"page {name}", method="get", url=name, params=params))
    return routes


def admin_routes() -> list[Route]:
    return [Route(key=f"admin {url}", method="get", url=url) for url in ADMIN_URLS]


def api_routes() -> list[Route]:
    schema = api.get_openapi_schema()
    return [Route(key=f"api {method.upper()} {path}", method=method, url=path)
            for path, operations in schema["paths"].items() for method in operations]


def all_routes() -> list[Route]:
    return page_routes() + admin_routes() + api_routes()


API_ARGS = {  # path parameter -> world object
    "code": "uscc", "uscc": "uscc", "serial": "serial", "tracking_no": "tracking_no", "application_id": "application",
    "entry_id": "list_entry", "rule_id": "rule", "repair_id": "repair", "draw_id": "plan", "plan_id": "plan",
    "inspection_id": "inspection", "warning_id": "warning", "article_id": "article", "survey_id": "survey",
    "assignment_id": "assignment", "year": "year",
}
API_LITERALS = {"action": "accept", "slug": "complaint-stats"}


def api_query(path: str, world: World) -> str:
    """Required query parameters, filled with valid values so the operation itself is tried."""
    return {"/api/v1/tools/deadline": "?start=2026-11-02&days=7",
            "/api/v1/badges/verify": f"?token={world.ids['badge_token']}",
            "/api/v1/complaints/metrics": "?start=2026-01-01&end=2026-12-31",
            "/api/v1/public/complaints/{tracking_no}": f"?phone_last4={world.ids['complainant_phone'][-4:]}",
            }.get(path, "")


def resolve(route: Route, world: World) -> str:
    if route.key.startswith("admin "):
        return route.url
    if route.key.startswith("page "):
        return reverse(route.url, kwargs=url_kwargs(route.url, list(route.params), world))
    url = re.sub(r"\{(\w+)\}", lambda m: str(API_LITERALS.get(m[1]) or world.ids[API_ARGS[m[1]]]), route.url)
    return url + api_query(route.url, world)


class _Rollback(Exception):
    pass


def outcome(response) -> str:
    """A response as the table writes it: the status, and for a redirect whether it goes to a login page."""
    status = response.status_code
    if status in (301, 302, 303):
        location = response.headers.get("Location", "")
        if "/login/" in location:
            return "login"
        return "redirect"
    return str(status)


def client_for(role: str, world: World) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def attempt(client: Client, route: Route, url: str) -> str:
    """One request. Writes run inside a savepoint that is always rolled back: each cell sees the same world."""
    if route.method not in UNSAFE:
        with transaction.atomic():
            return outcome(client.get(url))
    result = {}
    try:
        with transaction.atomic():
            call = getattr(client, route.method)
            result["outcome"] = outcome(call(url, data=json.dumps({}), content_type="application/json"))
            raise _Rollback
    except _Rollback:
        pass
    return result["outcome"]
