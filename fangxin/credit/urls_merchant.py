"""The merchant's own grade, its explanation and credit repair."""

from django.urls import path

from . import views_merchant as v

M = "workbench/merchant/credit/"
urlpatterns = [
    path(M, v.my_credit, name="my_credit"),
    path(M + "<str:uscc>/repair/", v.repair_new, name="repair_new"),
    path("workbench/credit/repairs/<int:pk>/files/<int:file_pk>/", v.repair_evidence, name="repair_evidence"),
]
