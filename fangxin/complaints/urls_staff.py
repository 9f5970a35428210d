from django.urls import path

from . import views_staff as v

C = "workbench/complaints/"
T = C + "<str:tracking_no>/"
urlpatterns = [
    path(C, v.queue, name="queue"),
    path(C + "new/", v.staff_new, name="staff_new"),
    path(C + "new/triage/", v.triage_prefill, name="triage_prefill"),
    path(C + "metrics/", v.metrics_page, name="metrics"),
    path(C + "export.xlsx", v.export, name="export"),
    path(T, v.detail, name="detail"),
    path(T + "do/<str:action>/", v.action, name="action"),
    path(T + "personal/", v.personal, name="personal"),
    path(T + "documents/<int:pk>/", v.document, name="document"),
    path(T + "documents/<int:pk>.pdf", v.document_pdf, name="document_pdf"),
    path(T + "files/<int:pk>/", v.evidence, name="evidence"),
    path("workbench/stations/", v.stations, name="stations"),
    path("workbench/stations/new/", v.station_new, name="station_new"),
    path("workbench/stations/<int:pk>/", v.station_edit, name="station_edit"),
    path("workbench/outbox/", v.outbox, name="outbox"),
    path("workbench/outbox/retry/", v.outbox_retry, name="outbox_retry"),
]
