from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("", views.scores, name="scores"),
]
