from django.urls import path

from . import views

app_name = "merchants"
urlpatterns = [
    path("new/", views.entity_create, name="entity_create"),
    path("<str:uscc>/edit/", views.entity_edit, name="entity_edit"),
]
