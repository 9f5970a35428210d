import importlib
import random

from django.conf import settings
from django.core.management.base import BaseCommand

from fangxin.core.actors import Actor


class Command(BaseCommand):
    help = "载入演示数据（可重复执行，已有数据保留）。每项能力在 FANGXIN_DEMO_STEPS 中登记自己的演示数据。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="随机种子：同一种子得到同样的数据")

    def handle(self, *args, seed: int, **options):
        actor = Actor.system("demo")
        logins = []
        for step in settings.FANGXIN_DEMO_STEPS:
            module = importlib.import_module(step)
            result = module.load(rng=random.Random(f"{seed}:{step}"), actor=actor, stdout=self.stdout)
            if step.endswith("accounts.demo"):
                logins = result
        self.stdout.write("演示数据已就绪。演示账号（密码均为 {}）：".format(importlib.import_module(
            "fangxin.accounts.demo").DEMO_PASSWORD))
        for role_label, username in logins:
            self.stdout.write(f"  {role_label:<12} {username}")
