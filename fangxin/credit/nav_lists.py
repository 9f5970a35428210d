"""Workbench menu entries for credit lists, the ledger and the event import."""

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

from .services import DECIDER_ROLES

READERS = frozenset(STAFF_ROLES | AUDIT_READERS)

register(
    NavItem("信用名单", "credit:lists", READERS, group="信用监管", order=60,
            description="经营异常名录、严重违法失信名单、警示名单的列入与移出"),
    NavItem("信用档案", "credit:ledger_find", READERS, group="信用监管", order=61,
            description="按统一社会信用代码查看市场主体的信用事件台账和等级；录入行政处罚、违反承诺"),
    NavItem("导入信用事件", "credit:import", DECIDER_ROLES, group="信用监管", order=62,
            description="批量导入其他部门报送的行政处罚、抽查检查结果等信用事件（XLSX/CSV）"),
)
