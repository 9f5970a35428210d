"""Joint-punishment rules and credit-repair decisions (staff)."""

from django.urls import path

from . import views_rules as v

urlpatterns = [
    path("workbench/credit/rules/", v.rule_list, name="rules"),
    path("workbench/credit/rules/new/", v.rule_new, name="rule_new"),
    path("workbench/credit/rules/<int:pk>/edit/", v.rule_edit, name="rule_edit"),
    path("workbench/credit/repairs/", v.repair_list, name="repairs"),
    path("workbench/credit/repairs/<int:pk>/", v.repair_detail, name="repair_detail"),
    path("workbench/credit/repairs/<int:pk>/decide/", v.repair_decide, name="repair_decide"),
]
