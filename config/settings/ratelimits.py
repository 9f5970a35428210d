"""Settings for ratelimits (star-imported at the end of base.py). Values that differ per deployment come from the environment.

`fangxin.core.ratelimit.RateLimitMiddleware` reads FANGXIN_RATELIMITS: each rule names the URL names and methods it
covers, how many requests one client address (and, where `target` is set, one target such as a tracking number)
may make in `window` seconds, and what the user was doing (for the Chinese 429 message). Counters live in the
default cache (LocMem in tests, Redis in production), so every worker shares them when Redis is configured.
"""

import os

from .env import env_bool

# FANGXIN_RATELIMITS=0 switches every limit off (the fault benchmark fires hundreds of requests from loopback).
FANGXIN_RATELIMITS_ENABLED = env_bool("FANGXIN_RATELIMITS", True)
# One factor scales every limit (a deployment behind a large NAT may raise it; 1 is the documented default).
FANGXIN_RATELIMIT_SCALE = float(os.environ.get("FANGXIN_RATELIMIT_SCALE", "1"))

_TRACKING = ["complaints:track", "complaints:track_detail"]

FANGXIN_RATELIMITS = {
    # The public complaint form and its API twin: a consumer files a handful a day, a script hundreds.
    "complaint_submit": {
        "views": ["complaints:file", "api:public_complaint_create"], "methods": ["POST"],
        "limit": 10, "window": 600, "label": "提交投诉举报",
    },
    # Tracking: per address, and per tracking number from all addresses together, so the 10 000 possible
    # last-4 digits of one number cannot be tried from many addresses either.
    "track_ip": {
        "views": [*_TRACKING, "api:public_complaint_track"], "methods": ["GET", "POST"],
        "limit": 30, "window": 600, "label": "查询投诉进度",
    },
    "track_number": {
        "views": ["complaints:track", "api:public_complaint_track"], "methods": ["GET", "POST"],
        "limit": 20, "window": 3600, "target": ["form:tracking_no", "url:tracking_no"],
        "only_with_target": True, "label": "查询同一投诉编号",
    },
    # Objections to a title's publicity (异议) and their lookup by reference number + last 4 digits.
    "objection": {
        "views": ["campaign:objection_new"], "methods": ["POST"],
        "limit": 5, "window": 3600, "label": "提出异议",
    },
    "objection_lookup": {
        "views": ["campaign:objection_lookup"], "methods": ["POST"],
        "limit": 20, "window": 600, "label": "查询异议",
    },
    # Fake-badge reports (举报冒用标识): per address, and per badge so one sticker cannot be flooded.
    "badge_report": {
        "views": ["campaign:verify_report"], "methods": ["POST"],
        "limit": 5, "window": 3600, "label": "举报冒用放心消费标识",
    },
    "badge_report_token": {
        "views": ["campaign:verify_report"], "methods": ["POST"],
        "limit": 20, "window": 3600, "target": ["url:token"], "label": "举报同一标识",
    },
    # Logins: django-axes locks one username+address after 5 failures; this caps one address across usernames.
    "login": {
        "views": ["accounts:login"], "methods": ["POST"],
        "limit": 20, "window": 600, "label": "登录",
    },
}
