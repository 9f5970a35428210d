"""Content pages (app "content", included at the site root): public /zixun/ and /diaocha/, staff under
/workbench/content/."""

from django.urls import path

from . import views_public, views_staff

app_name = "content"
W = "workbench/content/"
urlpatterns = [
    path("zixun/", views_public.article_list, name="public_list"),
    path("zixun/<int:pk>/", views_public.article_detail, name="public_detail"),
    path("zixun/<int:pk>/files/<int:file_id>/", views_public.attachment_download, name="public_file"),
    path("zixun/<slug:slug>/", views_public.article_list, name="public_kind"),
    path("diaocha/", views_public.survey_list, name="surveys"),
    path("diaocha/<int:pk>/", views_public.survey_detail, name="survey"),
    path("diaocha/<int:pk>/thanks/", views_public.survey_thanks, name="survey_thanks"),
    path(W, views_staff.article_list, name="staff_list"),
    path(W + "new/", views_staff.article_new, name="staff_new"),
    path(W + "review/", views_staff.review_queue, name="staff_review"),
    path(W + "<int:pk>/", views_staff.article_detail, name="staff_detail"),
    path(W + "<int:pk>/edit/", views_staff.article_edit, name="staff_edit"),
    path(W + "<int:pk>/transition/", views_staff.article_transition, name="staff_transition"),
    path(W + "<int:pk>/files/", views_staff.attachment_add, name="staff_file_add"),
    path(W + "<int:pk>/files/<int:file_id>/", views_staff.attachment_download, name="staff_file"),
    path(W + "<int:pk>/files/<int:file_id>/remove/", views_staff.attachment_remove, name="staff_file_remove"),
    path(W + "surveys/", views_staff.survey_list, name="staff_surveys"),
    path(W + "surveys/new/", views_staff.survey_new, name="staff_survey_new"),
    path(W + "surveys/<int:pk>/", views_staff.survey_detail, name="staff_survey"),
    path(W + "surveys/<int:pk>/edit/", views_staff.survey_edit, name="staff_survey_edit"),
    path(W + "surveys/<int:pk>/publish/", views_staff.survey_publish, name="staff_survey_publish"),
    path(W + "surveys/<int:pk>/results.xlsx", views_staff.survey_export, name="staff_survey_export"),
]
