"""Early-warning pages (app "alerts", included at the site root)."""

from django.urls import path

from . import views

app_name = "alerts"
W = "workbench/alerts/"
urlpatterns = [
    path(W, views.warning_list, name="list"),
    path(W + "scan/", views.scan_now, name="scan"),
    path(W + "settings/", views.settings_page, name="settings"),
    path(W + "<int:pk>/", views.warning_detail, name="detail"),
    path(W + "<int:pk>/transition/", views.warning_transition, name="transition"),
    path("workbench/merchant/prepaid/", views.prepaid_list, name="prepaid_list"),
    path("workbench/merchant/prepaid/<str:uscc>/", views.prepaid_declare, name="prepaid_declare"),
]
