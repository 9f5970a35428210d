"""The staff credit pages under workbench/credit/ (app "credit"): lists, a business's ledger, the event import."""

from django.urls import path

from . import views_staff as v

urlpatterns = [
    path("workbench/credit/lists/", v.lists, name="lists"),
    path("workbench/credit/lists/new/", v.list_enter, name="list_enter"),
    path("workbench/credit/lists/<int:pk>/exit/", v.list_exit, name="list_exit"),
    path("workbench/credit/ledger/", v.ledger_find, name="ledger_find"),
    path("workbench/credit/ledger/<str:uscc>/", v.ledger, name="ledger"),
    path("workbench/credit/ledger/<str:uscc>/penalty/", v.penalty_new, name="penalty_new"),
    path("workbench/credit/ledger/<str:uscc>/breach/", v.breach_new, name="breach_new"),
    path("workbench/credit/import/", v.import_upload, name="import"),
    path("workbench/credit/import/template.xlsx", v.import_template, name="import_template"),
    path("workbench/credit/import/<slug:token>/", v.import_result, name="import_result"),
    path("workbench/credit/import/<slug:token>/errors.xlsx", v.import_report, name="import_report"),
]
