from django.urls import path

from . import views_merchant

urlpatterns = [
    path("workbench/merchant/complaints/", views_merchant.merchant_list, name="merchant_list"),
    path("workbench/merchant/complaints/<str:tracking_no>/", views_merchant.merchant_detail, name="merchant_detail"),
    path("workbench/merchant/complaints/<str:tracking_no>/offer/", views_merchant.merchant_offer,
         name="merchant_offer"),
    path("workbench/merchant/complaints/<str:tracking_no>/decline/", views_merchant.merchant_decline,
         name="merchant_decline"),
    path("workbench/merchant/complaints/<str:tracking_no>/reply/", views_merchant.merchant_reply,
         name="merchant_reply"),
]
