"""The inspections pages (双随机一公开): the staff workbench (plans, the draw, results, the inspector and
inspection-object directories) and the public draw pages under choucha/ (抽查)."""

from django.urls import path

from . import views_public, views_staff

app_name = "inspections"
urlpatterns = [
    path("workbench/inspections/", views_staff.plans, name="plans"),
    path("workbench/inspections/new/", views_staff.plan_new, name="plan_new"),
    path("workbench/inspections/<int:pk>/", views_staff.plan_detail, name="plan_detail"),
    path("workbench/inspections/<int:pk>/edit/", views_staff.plan_edit, name="plan_edit"),
    path("workbench/inspections/<int:pk>/freeze/", views_staff.plan_freeze, name="plan_freeze"),
    path("workbench/inspections/<int:pk>/entropy/", views_staff.plan_entropy, name="plan_entropy"),
    path("workbench/inspections/<int:pk>/draw/", views_staff.plan_draw, name="plan_draw"),
    path("workbench/inspections/<int:pk>/publish/", views_staff.plan_publish, name="plan_publish"),
    path("workbench/inspections/<int:pk>/close/", views_staff.plan_close, name="plan_close"),
    path("workbench/inspections/<int:pk>/record.json", views_staff.plan_record, name="plan_record"),
    path("workbench/inspections/<int:pk>/objects/", views_staff.plan_objects, name="plan_objects"),
    path("workbench/inspections/results/<int:pk>/", views_staff.result, name="result"),
    path("workbench/inspections/results/<int:pk>/documents/<int:doc>/", views_staff.document, name="document"),
    path("workbench/inspections/objects/", views_staff.objects, name="objects"),
    path("workbench/inspections/inspectors/", views_staff.inspectors, name="inspectors"),
    path("workbench/inspections/inspectors/new/", views_staff.inspector_new, name="inspector_new"),
    path("workbench/inspections/inspectors/<int:pk>/", views_staff.inspector_edit, name="inspector_edit"),
    path("workbench/inspections/inspectors/<int:pk>/conflicts/", views_staff.conflict_declare,
         name="conflict_declare"),
    path("workbench/inspections/conflicts/<int:pk>/withdraw/", views_staff.conflict_withdraw,
         name="conflict_withdraw"),
    path("choucha/", views_public.draws, name="public_draws"),
    path("choucha/results/", views_public.results, name="public_results"),
    path("choucha/<int:pk>/", views_public.draw_detail, name="public_draw"),
    path("choucha/<int:pk>/record.json", views_public.draw_record, name="public_record"),
]
