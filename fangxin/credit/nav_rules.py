"""Workbench menu entries for joint-punishment rules, credit repair and a merchant's own grade."""

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

READERS = frozenset(STAFF_ROLES | AUDIT_READERS)

register(
    NavItem("我的信用", "credit:my_credit", frozenset({Role.MERCHANT}), order=8,
            description="查看本单位的信用等级、评级说明和等级变化；申请信用修复"),
    NavItem("联合惩戒规则", "credit:rules", READERS, group="信用监管", order=63,
            description="失信名单、信用等级对应的惩戒措施：不得创建、不得申报、称号复核、提高抽查比例、公开提示"),
    NavItem("信用修复", "credit:repairs", READERS, group="信用监管", order=64,
            description="经营者提出的信用修复申请；本辖区旗县区工作人员和联席会议办公室决定"),
)
