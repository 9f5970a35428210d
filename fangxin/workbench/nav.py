from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS, WORKBENCH_ROLES

from .navigation import NavItem, register

register(
    NavItem("工作台首页", "workbench:home", frozenset(WORKBENCH_ROLES), order=0, description="待办与概况"),
    NavItem("市场主体", "workbench:entity_list", frozenset(STAFF_ROLES | AUDIT_READERS | {Role.MERCHANT}), order=10,
            group="市场主体",
            description="管辖范围内的经营者名录"),
    NavItem("期限计算", "workbench:deadline", frozenset(STAFF_ROLES | AUDIT_READERS), order=80, group="工具",
            description="按法定工作日推算办理期限"),
    NavItem("审计日志", "workbench:audit_log", frozenset(AUDIT_READERS), order=90, group="工具", description="全部操作记录与链校验"),
    NavItem("修改密码", "accounts:password_change", frozenset(WORKBENCH_ROLES), group="账号", order=200),
)
