import os

from django.core.wsgi import get_wsgi_application

_default = "config.settings.production" if os.environ.get("FANGXIN_ENV") == "production" else "config.settings.base"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", _default)
application = get_wsgi_application()

# Behind nginx, gunicorn's REMOTE_ADDR is nginx's own address (or "" on a unix socket), so rate limits and audit
# records would see one client. nginx sets X-Real-IP to the client's address, overwriting whatever the client sent;
# it is believed only from the peers listed in FANGXIN_TRUSTED_PROXIES ("unix" = the unix socket). docs/deploy.md.
_trusted = {item.strip() for item in os.environ.get("FANGXIN_TRUSTED_PROXIES", "").split(",") if item.strip()}
if _trusted:
    _django_application = application

    def application(environ, start_response):
        peer = environ.get("REMOTE_ADDR") or "unix"
        real = environ.get("HTTP_X_REAL_IP", "").strip()
        if peer in _trusted and real:
            environ["REMOTE_ADDR"] = real
        return _django_application(environ, start_response)
