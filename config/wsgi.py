import os

from django.core.wsgi import get_wsgi_application

_default = "config.settings.production" if os.environ.get("FANGXIN_ENV") == "production" else "config.settings.base"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", _default)
application = get_wsgi_application()
