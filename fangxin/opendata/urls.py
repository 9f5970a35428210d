from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("open/", views.index, name="index"),
    path("open/<slug:slug>/", views.dataset_detail, name="dataset"),
    path("open/<slug:slug>.csv", views.dataset_csv, name="dataset_csv"),
    path("open/<slug:slug>.json", views.dataset_json, name="dataset_json"),
    path("workbench/reports/", views.reports, name="reports"),
    path("workbench/reports/<int:pk>/status/", views.job_status, name="job_status"),
    path("workbench/reports/<int:pk>/download/", views.job_download, name="job_download"),
    path("workbench/reports/<int:pk>/retry/", views.job_retry, name="job_retry"),
]
