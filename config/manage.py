"""The `fangxin` console command: Django's manage.py, with configuration errors in one line."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    default = "config.settings.production" if os.environ.get("FANGXIN_ENV") == "production" else "config.settings.base"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - load settings now so a bad value is reported here
        execute_from_command_line(argv or sys.argv)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"配置错误：{exc}\n")
        sys.exit(2)
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        sys.stderr.write(f"数据库连接失败：{first_line}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
