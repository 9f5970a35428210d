"""The standards pages and the joint-meeting office's pages of the demonstration titles (app "campaign")."""

from django.urls import path

from . import nav_staff  # noqa: F401 - workbench menu entries
from . import views_staff as views

urlpatterns = [
    path("workbench/standards/", views.standards, name="standards"),
    path("workbench/standards/new/", views.standard_new, name="standard_new"),
    path("workbench/standards/<int:pk>/", views.standard_detail, name="standard_detail"),
    path("workbench/standards/<int:pk>/edit/", views.standard_edit, name="standard_edit"),
    path("workbench/standards/<int:pk>/publish/", views.standard_publish, name="standard_publish"),
    path("workbench/standards/<int:pk>.xlsx", views.standard_xlsx, name="standard_xlsx"),
    path("workbench/cycles/", views.cycles, name="cycles"),
    path("workbench/cycles/new/", views.cycle_new, name="cycle_new"),
    path("workbench/cycles/<int:pk>/close/", views.cycle_close, name="cycle_close"),
    path("workbench/coverage/", views.coverage, name="coverage"),
    path("workbench/coverage/designate/", views.designate, name="designate"),
    path("workbench/management/", views.cases, name="cases"),
    path("workbench/management/scan/", views.case_scan, name="case_scan"),
    path("workbench/management/<int:pk>/decide/", views.case_decide, name="case_decide"),
]
