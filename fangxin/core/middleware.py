"""Two gaps in Django's own error pages, closed for every app at once:

- a stored file (evidence, document, attachment) that has gone from storage raises FileNotFoundError when a view
  opens it; that is a missing object to the user — the 404 page — not a server error;
- a page reached with the wrong method (a GET on a form's POST-only address) gets Django's empty 405; the user
  sees a Chinese page saying what to do instead. The API keeps its own structured answers.
- a NUL character in the address (`/m/%00/`) reaches no view: PostgreSQL refuses it in any query (a 500), so the
  request is a bad request (400) for pages and API alike."""

import logging
from urllib.parse import unquote

from django.http import Http404, JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


class FriendlyErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return self._bad_address(request)
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not request.path.startswith("/api/"):
            allowed = response.get("Allow", "")
            page = render(request, "405.html", status=405)
            page["Allow"] = allowed
            return page
        return response

    def _bad_address(self, request):
        message = "网址中含有不允许的控制字符。"
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": "bad_request", "message": message, "details": {}}}, status=400)
        return render(request, "400.html", {"message": message}, status=400)

    def process_exception(self, request, exception):
        if isinstance(exception, FileNotFoundError):
            logger.warning("stored file missing for %s: %s", request.path, exception)
            raise Http404("文件已不存在。") from exception
        return None
