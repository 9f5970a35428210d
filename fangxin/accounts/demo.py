"""Demo accounts: one per role (two county clerks, to show that counties do not see each other)."""

from django.db import transaction
from django.utils import timezone

from fangxin.core import audit
from fangxin.merchants.models import MarketEntity
from fangxin.organisation.models import Department, Region

from .choices import Role
from .models import BindingStatus, MerchantBinding, User
from .services import user_create

DEMO_PASSWORD = "fangxin-demo-2026"

# username, name, role, region code, department code
DEMO_USERS = [
    ("shangjia", "王建国（经营者）", Role.MERCHANT, None, None),
    ("linhe", "临河区市场监管所 李敏", Role.COUNTY_STAFF, "150802", None),
    ("wuyuan", "五原县市场监管局 张磊", Role.COUNTY_STAFF, "150821", None),
    ("shiyaojian", "市食药监局 赵静", Role.DEPARTMENT_STAFF, "150800", "fda"),
    ("xiaoxie", "市消费者协会 刘芳", Role.CONSUMER_ASSOCIATION, "150800", "cca"),
    ("lianxi", "联席会议办公室 陈超", Role.JOINT_OFFICE, "150800", "amr"),
    ("shenji", "审计员 孙丽", Role.AUDITOR, None, None),
    ("admin", "系统管理员", Role.SYSADMIN, None, None),
]


def load(*, rng, actor, stdout=None) -> list[tuple[str, str]]:
    logins = []
    for username, name, role, region_code, department_code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=actor, username=username, password=DEMO_PASSWORD, role=role, full_name=name,
                region=Region.objects.get(code=region_code) if region_code else None,
                department=Department.objects.get(code=department_code) if department_code else None,
            )
        logins.append((role.label, username))
        if role == Role.MERCHANT:
            bind_demo_merchant(actor, user)
    return logins


def bind_demo_merchant(actor, user: User) -> None:
    """The demo merchant acts for the first demo entity in 临河区."""
    entity = MarketEntity.objects.filter(region__code="150802").order_by("created_at", "pk").first()
    if entity is None or MerchantBinding.objects.filter(user=user, entity=entity).exists():
        return
    with transaction.atomic():
        binding = MerchantBinding.objects.create(user=user, entity=entity, status=BindingStatus.CONFIRMED,
                                                 decided_at=timezone.now())
        audit.record(actor=actor, action="accounts.binding.confirm", obj=binding,
                     changes={"status": [None, BindingStatus.CONFIRMED]})
