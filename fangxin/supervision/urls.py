"""Supervision pages (app "supervision", included at the site root)."""

from django.urls import path

from . import views

app_name = "supervision"
W = "workbench/supervision/"
urlpatterns = [
    path(W, views.board, name="board"),
    path(W + "new/", views.task_new, name="task_new"),
    path(W + "tasks/<int:pk>/", views.task_detail, name="task"),
    path(W + "assignments/<int:pk>/<str:action>/", views.assignment_action, name="assignment_action"),
    path(W + "attachments/<int:pk>/", views.attachment, name="attachment"),
    path(W + "evaluation/", views.evaluation_index, name="evaluation_index"),
    path(W + "evaluation/<int:year>/", views.evaluation, name="evaluation"),
    path(W + "evaluation/<int:year>/publish/", views.evaluation_publish, name="evaluation_publish"),
    path(W + "evaluation/<int:year>/ranking.xlsx", views.evaluation_xlsx, name="evaluation_xlsx"),
    path(W + "evaluation/<int:year>/ranking.pdf", views.evaluation_pdf, name="evaluation_pdf"),
]
