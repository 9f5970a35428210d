from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

READERS = frozenset(STAFF_ROLES | AUDIT_READERS)

register(
    NavItem("双随机抽查", "inspections:plans", READERS, order=60,
            description="抽查计划：冻结名录、录入公开随机数、抽取企业和检查组、录入并公示结果"),
    NavItem("检查对象名录", "inspections:objects", READERS, order=61,
            description="按抽查计划的范围列出的检查对象及其信用等级"),
    NavItem("检查人员名录", "inspections:inspectors", READERS, order=62,
            description="执法检查人员的部门、区域、资格、在岗状态和利益冲突申报"),
)
