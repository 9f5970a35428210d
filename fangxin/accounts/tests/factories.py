from django.db import transaction

from fangxin.accounts.models import BindingStatus, MerchantBinding
from fangxin.accounts.services import user_create
from fangxin.core.actors import Actor
from fangxin.organisation.models import Department, Region

PASSWORD = "correct-horse-battery-9"


def make_user(username: str, role: str, *, region: str | None = None, department: str | None = None,
              entities=(), password: str = PASSWORD):
    user = user_create(actor=Actor.system("test"), username=username, password=password, role=role,
                       full_name=f"测试{username}",
                       region=Region.objects.get(code=region) if region else None,
                       department=Department.objects.get(code=department) if department else None)
    with transaction.atomic():
        for entity in entities:
            MerchantBinding.objects.create(user=user, entity=entity, status=BindingStatus.CONFIRMED)
    return user
