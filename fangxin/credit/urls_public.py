"""The public credit lists under xinyong/ (app "credit") and their exports at stable URLs."""

from django.urls import path

from . import views_public as v

urlpatterns = [
    path("xinyong/", v.lists, name="public_lists"),
    path("xinyong/yichu/", v.exits, name="public_exits"),
    path("xinyong/export.csv", v.export_csv, name="public_export_csv"),
    path("xinyong/export.json", v.export_json, name="public_export_json"),
]
