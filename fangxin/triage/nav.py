from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

register(
    NavItem("分诊模型", "triage:scores", frozenset(STAFF_ROLES | AUDIT_READERS), order=85,
            description="自动分诊的评测得分与人工更正"),
)
