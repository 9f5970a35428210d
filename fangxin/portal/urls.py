from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("commitment/", views.commitment, name="commitment"),
    path("policy/", views.policy, name="policy"),
]
