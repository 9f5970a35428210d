"""Cached public pages (badge verification, business profile, search), never staler than the database.

A page is stored under a key that carries versions read from the database on every request (docs/performance.md):

- one version per business, named `p<USCC>`, bumped by `bump_from_audit` — an audit observer — in the same
  transaction as any audited change of the business or of a record that belongs to it (an enrollment and its
  badge, a title, a list entry, a credit grade, a prepaid scheme, a complaint …);
- the `pages` epoch, bumped by changes of reference data every page shows (regions, sectors, commitments,
  joint-punishment rules, standards, publicity) and by `bump_all()` after bulk loads that write no per-record
  audit entry. It starts at a random value, so a database that is emptied and refilled never meets a key a
  long-lived cache still holds.

Reading the versions is one primary-key query. A reader that sees version v reads data at least as new as v and
stores its page under v; a change that commits makes every later reader see v + 1. So a revoked badge can never be
served as valid from the cache — whatever the cache is (LocMem per process, Redis shared by servers), because
the versions live in the database every process reads. The day is in the key too (titles and list entries expire
by date), and entries expire after `TIMEOUT` anyway to bound memory.

The counters are rows of `stats.Version` (a name → bigint table whose rows are bumped in the change's own
transaction, exactly what this needs); a business's row exists only after its first change (no row = 0).

The page body is rendered once with a placeholder for the CSRF token (the badge page has a report form, every
page carries the token for htmx) and the requester's own token is put in when served. Only anonymous requests
without a session use the cache: a signed-in user's header and messages differ per user.
"""

import hashlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

logger = logging.getLogger(__name__)

EPOCH = "pages"
KEY_PREFIX = "fangxin:page:v1:"
TIMEOUT = 600  # bounds memory and anything changed outside the audited services; correctness is the versions'
CSRF_PLACEHOLDER = "fangxin-csrf-placeholder-7d1f0c"

# Audited object types without a business of their own that public pages show (reference data).
EPOCH_TYPES = frozenset({"credit.jointrule", "credit.grademodel", "campaign.standard", "campaign.standarditem",
                         "campaign.publicity", "campaign.cycle", "campaign.designation"})
EPOCH_APPS = ("organisation.",)
# The search results page lists many businesses: it is versioned by one counter, bumped by the changes that can
# alter a result row or a filter (the registry, enrollment status, titles, credit grades) and not by the others
# (complaint steps, list entries …), so a busy complaint desk does not empty the search cache. Audited writes
# already serialise on AuditHead, so one more counter row adds no contention.
SEARCH = "search"
SEARCH_TYPES = frozenset({"merchants.marketentity", "campaign.enrollment", "campaign.title", "credit.creditgrade"})


def entity_version_name(uscc: str) -> str:
    return "p" + uscc.upper()


def _version_model():
    from fangxin.stats.models import Version

    return Version


def _bump(name: str) -> None:
    """version += 1 in the caller's transaction (a missing row starts at a random value)."""
    version = _version_model()
    if version.objects.filter(name=name).update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():
            version.objects.create(name=name, value=secrets.randbits(62))
    except IntegrityError:  # a concurrent first bump created it
        version.objects.filter(name=name).update(value=F("value") + 1)


def bump_entities(usccs) -> None:
    for uscc in sorted({u for u in usccs if u}):
        _bump(entity_version_name(uscc))


def bump_all() -> None:
    """Every cached public page is out of date (bulk loads, reference data)."""
    _bump(EPOCH)


def _usccs_of(object_type: str, object_id: str) -> list[str]:
    """The businesses an audited object belongs to: itself, its `entity`, or its enrollment's entity."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    app_label, _, model_name = object_type.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return []
    if model._meta.label_lower == "merchants.marketentity":
        path = "uscc"
    else:
        path = None
        for candidate, lookup in (("entity", "entity__uscc"), ("enrollment", "enrollment__entity__uscc")):
            try:
                model._meta.get_field(candidate)
            except FieldDoesNotExist:
                continue
            path = lookup
            break
        if path is None:
            return []
    return [u for u in model._default_manager.filter(pk=object_id).values_list(path, flat=True) if u]


def bump_from_audit(entry) -> None:
    """Audit observer (registered in CampaignConfig.ready): runs in the change's transaction, so the new version
    commits with the change or not at all."""
    if entry.object_type in EPOCH_TYPES or entry.object_type.startswith(EPOCH_APPS):
        bump_all()
        return
    if not entry.object_id:
        return
    try:
        usccs = _usccs_of(entry.object_type, entry.object_id)
    except (ValueError, TypeError):  # an object id that is not this model's key type
        return
    bump_entities(usccs)
    if entry.object_type in SEARCH_TYPES:
        _bump(SEARCH)


def versions(name: str) -> tuple[int, int] | None:
    """(epoch, the named version: a business's or SEARCH) in one query; None while the epoch row does not exist
    yet, in which case it is created (once per database) and the caller renders without the cache this time."""
    table = connection.ops.quote_name(_version_model()._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, value FROM {table} WHERE name IN (%s, %s)", [EPOCH, name])
        found = dict(cursor.fetchall())
    if EPOCH not in found:
        with transaction.atomic():
            _bump(EPOCH)
        return None
    return found[EPOCH], found.get(name, 0)


def cacheable(request) -> bool:
    """Anonymous and without a session or pending messages: the page is the same for every such visitor."""
    if request.method != "GET":
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def page_key(kind: str, name: str, current: tuple[int, int], *parts) -> str:
    raw = "|".join([kind, name, repr(current), timezone.localdate().isoformat(), *map(str, parts)])
    return KEY_PREFIX + kind + ":" + hashlib.sha256(raw.encode()).hexdigest()


def _serve(request, body: bytes, status: int, content_type: str) -> HttpResponse:
    token = get_token(request).encode()  # sets the CSRF cookie for a first visit, as {% csrf_token %} would
    return HttpResponse(body.replace(CSRF_PLACEHOLDER.encode(), token), status=status, content_type=content_type)


def cached_page(request, *, kind: str, parts: tuple, render, uscc: str = "", version: str = ""):
    """`render(extra_context)` → HttpResponse. Served from the cache when the versions allow it: the business's
    (`uscc`) or a named one (`version`, e.g. SEARCH), with the epoch."""
    if not cacheable(request):
        return render({})
    name = entity_version_name(uscc) if uscc else version
    current = versions(name)
    if current is None:
        return render({})
    key = page_key(kind, name, current, *parts)
    try:
        hit = cache.get(key)
    except Exception:  # a shared cache that is down costs speed, never the page (redis errors vary by client)
        logger.warning("page cache unavailable; rendering %s without it", kind, exc_info=True)
        return render({})
    if hit is not None:
        body, status, content_type = hit
        return _serve(request, body, status, content_type)
    response = render({"csrf_token": CSRF_PLACEHOLDER})
    if (response.status_code == 200 and not response.streaming and not response.cookies
            and not getattr(response, "page_cache_skip", False)):
        try:
            cache.set(key, (response.content, response.status_code, response["Content-Type"]), TIMEOUT)
        except Exception:  # as above: the page is served all the same
            logger.warning("page cache unavailable; %s not stored", kind, exc_info=True)
    # The stored body has the placeholder; this visitor gets their own token like everybody after them.
    return _serve(request, response.content, response.status_code, response["Content-Type"])
