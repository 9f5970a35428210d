from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def page_for(allowed):
    """Anonymous users go to the login page; a signed-in user whom `allowed(user)` refuses gets 404,
    exactly as for a page that does not exist."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
