"""The merchant's pages: applications per business, the self-assessment, one application."""

from django.urls import path

from . import nav_merchant  # noqa: F401 - workbench menu entry
from . import views_merchant as v

M = "workbench/merchant/titles/"
urlpatterns = [
    path(M, v.my_applications, name="my_applications"),
    path(M + "apply/<str:uscc>/<str:level>/", v.title_apply, name="title_apply"),
    path(M + "<int:pk>/", v.my_application, name="my_application"),
    path(M + "<int:pk>/withdraw/", v.my_application_withdraw, name="my_application_withdraw"),
]
