from django.urls import path

from . import views_import

app_name = "registry_import"
urlpatterns = [
    path("", views_import.upload, name="upload"),
    path("template.xlsx", views_import.template, name="template"),
    path("results/<slug:token>/", views_import.result, name="result"),
    path("results/<slug:token>/errors.xlsx", views_import.report, name="report"),
]
