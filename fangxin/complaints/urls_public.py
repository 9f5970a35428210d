"""Public complaint pages (consumers, no account); mounted at the site root by complaints/urls.py."""

from django.urls import path

from . import views_public as views

urlpatterns = [
    path("tousu/", views.file_complaint, name="file"),
    path("tousu/ok/<str:tracking_no>/", views.filed, name="filed"),
    path("tousu/jingyingzhe/", views.entity_lookup, name="entity_lookup"),
    path("tousu/chaxun/", views.track, name="track"),
    path("tousu/chaxun/<str:tracking_no>/", views.track_detail, name="track_detail"),
    path("tousu/chaxun/<str:tracking_no>/hejie/", views.track_settlement, name="track_settlement"),
    path("tousu/chaxun/<str:tracking_no>/pingjia/", views.track_rate, name="track_rate"),
    path("tousu/chaxun/<str:tracking_no>/chehui/", views.track_withdraw, name="track_withdraw"),
    path("tousu/chaxun/<str:tracking_no>/wenshu/<int:pk>/", views.track_document, name="track_document"),
    path("weiquanzhan/", views.stations_public, name="stations_public"),
    path("tousu/gongshi/", views.ranking, name="ranking"),
    path("tousu/gongshi/<str:uscc>/", views.disclosure, name="disclosure"),
]
