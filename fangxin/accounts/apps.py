from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fangxin.accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from . import signals

        signals.connect_axes_signals()
