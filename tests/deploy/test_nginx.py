"""deploy/nginx/fangxin.conf agrees with the settings it mirrors: the request body limit, the headers the app
trusts, hashed static files cached for a year, media never served from disk."""

import re
from pathlib import Path

from django.conf import settings

NGINX = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
SITE = (NGINX / "fangxin.conf").read_text()
PROXY = (NGINX / "fangxin-proxy.conf").read_text()


def test_the_body_limit_is_the_apps():
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", SITE).group(1))
    assert megabytes * 1024 * 1024 == settings.FANGXIN_UPLOAD_REQUEST_MAX_BYTES


def test_the_proxy_sends_what_production_trusts():
    assert "proxy_set_header X-Real-IP $remote_addr;" in PROXY  # config/wsgi.py, FANGXIN_TRUSTED_PROXIES
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in PROXY  # SECURE_PROXY_SSL_HEADER
    assert "proxy_set_header Host $host;" in PROXY  # ALLOWED_HOSTS
    # every location that proxies includes the snippet (a bare proxy_pass would send Host: fangxin_app → 400)
    assert SITE.count("proxy_pass") == 0 and SITE.count("include /etc/nginx/snippets/fangxin-proxy.conf;") >= 4


def test_static_is_cached_for_a_year_and_media_is_not_served():
    static = SITE.split("location /static/", 1)[1].split("}", 1)[0]
    assert "immutable" in static and "max-age=31536000" in static and "gzip_static on;" in static
    assert "location /media/ { return 404; }" in SITE
