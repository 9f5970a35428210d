"""Two tiny views for operators and benchmarks: a liveness probe and the bare "hello" anchor."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def hello(request):
    """The load benchmark's anchor (bench/load.py): Django's request cycle and nothing else."""
    return HttpResponse("hello", content_type="text/plain; charset=utf-8")


@require_GET
def healthz(request):
    """For the proxy and the scheduler: answers 200 when this server can reach its database, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "not ready"; the proxy only needs the status
        return JsonResponse({"status": "database-unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
