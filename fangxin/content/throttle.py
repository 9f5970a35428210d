"""A small fixed-window rate limit for anonymous survey answers, kept in the cache (no address is stored in the
database; the cache key is a hash of the address and the hour)."""

import hashlib

from django.core.cache import cache
from django.utils import timezone

ANSWERS_PER_HOUR = 30  # per address: generous, as many phones share one carrier address


def allow(client_ip: str, *, limit: int | None = None) -> bool:
    """Count one attempt for this address in the current hour; False once `limit` (default ANSWERS_PER_HOUR) is
    exceeded."""
    limit = limit or ANSWERS_PER_HOUR
    hour = timezone.now().strftime("%Y%m%d%H")
    key = "fx-survey-rate:" + hashlib.sha256(f"{client_ip}|{hour}".encode()).hexdigest()[:32]
    if cache.add(key, 1, timeout=3700):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3700)
        return True
    return count <= limit
