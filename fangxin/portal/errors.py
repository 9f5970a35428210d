"""Error pages in Chinese. 403 and 404 look alike on purpose: a forbidden object is 'not found'."""

from django.shortcuts import render
from django.template.loader import get_template


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def forbidden(request, exception=None):
    return render(request, "404.html", status=404)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: the database may be what failed.
    from django.http import HttpResponseServerError

    return HttpResponseServerError(get_template("500.html").template.source)
