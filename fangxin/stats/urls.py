from django.urls import path

from . import views

app_name = "stats"
S = "workbench/stats/"
urlpatterns = [
    path(S + "goal-1/", views.goal_one, name="goal_one"),
    path(S + "goal-1.xlsx", views.goal_one_xlsx, name="goal_one_xlsx"),
    path(S + "mechanisms/", views.mechanisms, name="mechanisms"),
    path(S + "goal-2/", views.goal_two, name="goal_two"),
    path(S + "goal-2.xlsx", views.goal_two_xlsx, name="goal_two_xlsx"),
    path(S + "goal-3/", views.goal_three, name="goal_three"),
    path(S + "goal-3.xlsx", views.goal_three_xlsx, name="goal_three_xlsx"),
    path(S + "goal-4/", views.goal_four, name="goal_four"),
    path(S + "goal-4.xlsx", views.goal_four_xlsx, name="goal_four_xlsx"),
    path(S + "goal-5/", views.goal_five, name="goal_five"),
    path(S + "goal-5.xlsx", views.goal_five_xlsx, name="goal_five_xlsx"),
    path(S + "goal-6/", views.goal_six, name="goal_six"),
    path(S + "goal-6.xlsx", views.goal_six_xlsx, name="goal_six_xlsx"),
    path(S + "records/", views.records, name="records"),
]
