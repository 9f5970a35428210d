from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "fangxin.organisation"
    verbose_name = "组织与参考数据"
