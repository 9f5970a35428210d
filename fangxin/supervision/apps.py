from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "fangxin.supervision"
    verbose_name = "督导评价"
