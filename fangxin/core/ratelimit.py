"""Rate limits for the public forms, tracking lookups and logins (settings: config/settings/ratelimits.py).

A fixed-window counter per rule, client address and (for some rules) target, kept in Django's default cache with
`add` + `incr`, which are atomic in Redis and under LocMem's lock, so workers sharing Redis share the counts. When
a limit is passed the view is not run: pages answer 429 with a Chinese page saying how long to wait, the API
answers 429 JSON; both carry Retry-After. A cache that is down lets requests through (limits protect the service,
they must not take it down)."""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render

from fangxin.core.actors import client_ip_of

logger = logging.getLogger(__name__)

API_PREFIX = "api:"


@dataclass(frozen=True)
class Rule:
    name: str
    views: frozenset
    methods: frozenset
    limit: int
    window: int
    label: str
    target: tuple = ()
    only_with_target: bool = False

    def applies(self, view_name: str, method: str) -> bool:
        return view_name in self.views and method in self.methods


@dataclass(frozen=True)
class Verdict:
    rule: Rule
    count: int
    retry_after: int

    @property
    def blocked(self) -> bool:
        return self.count > self.rule.limit


def load_rules() -> list[Rule]:
    scale = getattr(settings, "FANGXIN_RATELIMIT_SCALE", 1) or 1
    rules = []
    for name, spec in getattr(settings, "FANGXIN_RATELIMITS", {}).items():
        rules.append(Rule(
            name=name, views=frozenset(spec["views"]), methods=frozenset(m.upper() for m in spec["methods"]),
            limit=max(1, int(spec["limit"] * scale)), window=int(spec["window"]), label=spec.get("label", ""),
            target=tuple(spec.get("target", ())), only_with_target=bool(spec.get("only_with_target"))))
    return rules


def _target_of(rule: Rule, request, view_kwargs: dict) -> str:
    """The first non-empty target the rule names: `url:<kwarg>` or `form:<POST field>`, normalised."""
    for source in rule.target:
        kind, _, field = source.partition(":")
        value = view_kwargs.get(field) if kind == "url" else request.POST.get(field) if kind == "form" else None
        value = str(value or "").strip().upper()[:64]
        if value:
            return value
    return ""


def _key(rule: Rule, ident: str, bucket: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:24]  # addresses and tracking numbers never in the cache
    return f"fx-rl:{rule.name}:{digest}:{bucket}"


def hit(rule: Rule, ident: str, now: float | None = None) -> Verdict:
    """Count one request for `ident` under `rule` and say whether it is over the limit."""
    now = time.time() if now is None else now
    bucket = int(now // rule.window)
    key = _key(rule, ident, bucket)
    retry_after = max(1, math.ceil((bucket + 1) * rule.window - now))
    try:
        cache.add(key, 0, timeout=rule.window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=rule.window + 5)
            count = 1
    except Exception:  # a cache outage must not turn into 500s on the public forms
        logger.warning("rate-limit cache unavailable; letting %s through", rule.name, exc_info=True)
        return Verdict(rule, 0, retry_after)
    return Verdict(rule, count, retry_after)


def check(request, view_name: str, view_kwargs: dict, rules: list[Rule]) -> Verdict | None:
    """The tightest blocking verdict for this request, or None. Every matching rule counts the request."""
    address = client_ip_of(request) or "unknown"
    blocked = None
    for rule in rules:
        if not rule.applies(view_name, request.method):
            continue
        ident = address
        if rule.target:
            target = _target_of(rule, request, view_kwargs)
            if not target and rule.only_with_target:
                continue
            ident = f"target:{target}" if target else address
        verdict = hit(rule, ident)
        if verdict.blocked and (blocked is None or verdict.retry_after > blocked.retry_after):
            blocked = verdict
    return blocked


def wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} 秒"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, rest = divmod(minutes, 60)
    return f"{hours} 小时" + (f" {rest} 分钟" if rest else "")


def message_for(verdict: Verdict) -> str:
    what = verdict.rule.label or "此操作"
    return f"您{what}的次数过多，请在 {wait_words(verdict.retry_after)}后再试。"


def limited_response(request, verdict: Verdict, api: bool):
    message = message_for(verdict)
    if api:
        response = JsonResponse({
            "detail": message, "code": "rate_limited",
            # the API's usual error envelope too, so generic clients read it the same way as every other error
            "error": {"code": "rate_limited", "message": message,
                      "details": {"retry_after": verdict.retry_after, "rule": verdict.rule.name}},
        }, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "core/rate_limited.html", {
            "message": message, "wait": wait_words(verdict.retry_after), "label": verdict.rule.label,
            "retry_after": verdict.retry_after}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


class RateLimitMiddleware:
    """Counts requests to the views named in FANGXIN_RATELIMITS and answers 429 before the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(settings, "FANGXIN_RATELIMITS_ENABLED", True):
            return None
        match = getattr(request, "resolver_match", None)
        if match is None or not match.view_name:
            return None
        # read per request so that tests (override_settings) and deployments see the current settings
        verdict = check(request, match.view_name, view_kwargs, load_rules())
        if verdict is None:
            return None
        logger.info("rate limit %s hit by %s", verdict.rule.name, client_ip_of(request))
        return limited_response(request, verdict, api=match.view_name.startswith(API_PREFIX))
