from django.urls import path

from . import views
from .titles import urls_merchant as titles_merchant
from .titles import urls_public as titles_public
from .titles import urls_review as titles_review
from .titles import urls_staff as titles_staff

app_name = "campaign"
urlpatterns = [
    path("workbench/merchant/", views.merchant_home, name="merchant_home"),
    path("workbench/merchant/claim/", views.claim, name="claim"),
    path("workbench/claims/", views.claims, name="claims"),
    path("workbench/claims/<int:pk>/decide/", views.claim_decision, name="claim_decision"),
    path("workbench/enroll/<str:uscc>/", views.enroll, name="enroll"),
    path("workbench/enrollments/", views.roster, name="roster"),
    path("workbench/enrollments/<str:serial>/", views.enrollment_detail, name="enrollment_detail"),
    path("workbench/enrollments/<str:serial>/status/", views.enrollment_transition, name="enrollment_transition"),
    path("workbench/enrollments/<str:serial>/reissue/", views.badge_reissue, name="badge_reissue"),
    path("workbench/enrollments/<str:serial>/poster.pdf", views.poster, name="poster"),
    path("workbench/enrollments/<str:serial>/badge.png", views.badge_png, name="badge_png"),
    path("workbench/badge-reports/", views.badge_reports, name="badge_reports"),
    path("v/<str:token>", views.verify, name="verify"),
    path("v/<str:token>/report", views.verify_report, name="verify_report"),
    path("b/<str:serial>.svg", views.public_badge_svg, name="badge_svg"),
    path("m/<str:uscc>/", views.profile, name="profile"),
    path(".well-known/fangxin-badge-keys.json", views.badge_keys_document, name="badge_keys"),
]
# demonstration titles (titles/): office and standards, review and publicity, merchant, public pages
urlpatterns += titles_staff.urlpatterns + titles_review.urlpatterns + titles_merchant.urlpatterns + titles_public.urlpatterns
