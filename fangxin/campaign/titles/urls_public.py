"""The public pages: publicity notices and objections, revocation announcements."""

from django.urls import path

from . import views_public as v

urlpatterns = [
    path("gongshi/", v.publicity_list, name="publicity_public"),
    path("gongshi/<int:pk>/", v.publicity_detail, name="publicity_public_detail"),
    path("gongshi/yiyi/chaxun/", v.objection_lookup, name="objection_lookup"),
    path("gongshi/yiyi/<int:application_pk>/", v.objection_new, name="objection_new"),
    path("gonggao/", v.announcements, name="announcements"),
]
