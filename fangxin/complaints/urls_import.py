from django.urls import path

from . import views_import

urlpatterns = [
    path("workbench/complaints/import/", views_import.upload, name="import"),
    path("workbench/complaints/import/template.xlsx", views_import.template, name="import_template"),
    path("workbench/complaints/import/<slug:token>/", views_import.result, name="import_result"),
    path("workbench/complaints/import/<slug:token>/errors.xlsx", views_import.report, name="import_report"),
]
