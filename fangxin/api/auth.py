"""Who calls the API: a signed-in browser session (with CSRF on writes) or a department token."""

from django.conf import settings
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from fangxin.accounts.services import api_token_authenticate


class BrowserSession(SessionAuth):
    """The signed-in user's session; unsafe methods need the CSRF token, as in the web pages."""

    def _get_key(self, request):
        # Without a session cookie this is no browser call: let the token classes try. Checking CSRF first would
        # refuse every token POST with 403 (Django's test client skips CSRF, so only a real server shows it).
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


class DepartmentToken(HttpBearer):
    """`Authorization: Bearer fx_<id>_<secret>`, issued per department in the admin."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        return api_token_authenticate(token)


class DepartmentTokenHeader(APIKeyHeader):
    """The same token in `X-API-Key`, for integrations that cannot set Authorization."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return api_token_authenticate(key)


STAFF_AUTH = [BrowserSession(), DepartmentToken(), DepartmentTokenHeader()]
