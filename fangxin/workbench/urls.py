from django.urls import path

from . import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/<str:uscc>/", views.entity_detail, name="entity_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    path("deadline/", views.deadline, name="deadline"),
]
