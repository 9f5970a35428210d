"""Staff pages: applications and their review, publicity with objections, the award, titles and certificates."""

from django.urls import path

from . import nav_review  # noqa: F401 - workbench menu entries
from . import views_review as v

A = "workbench/applications/"
P = "workbench/publicity/"
urlpatterns = [
    path(A, v.applications, name="applications"),
    path(A + "<int:pk>/", v.application_detail, name="application_detail"),
    path(A + "<int:pk>/review/", v.application_review, name="application_review"),
    path(A + "<int:pk>/conflict/", v.conflict_declare, name="conflict_declare"),
    path(A + "<int:pk>/files/<int:file_pk>/", v.application_evidence, name="application_evidence"),
    path(P, v.publicities, name="publicities"),
    path(P + "new/", v.publicity_new, name="publicity_new"),
    path(P + "<int:pk>/", v.publicity_detail, name="publicity_detail"),
    path(P + "<int:pk>/award/", v.publicity_award, name="publicity_award"),
    path(P + "objections/<int:pk>/answer/", v.objection_answer, name="objection_answer"),
    path(P + "objections/<int:pk>/evidence/", v.objection_evidence, name="objection_evidence"),
    path("workbench/titles/", v.titles, name="titles"),
    path("workbench/titles/<int:pk>/certificate.pdf", v.certificate_pdf, name="certificate"),
]
