from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

register(
    NavItem("预警", "alerts:list", frozenset(STAFF_ROLES | AUDIT_READERS), order=13,
            description="经营者、行业、问题类型投诉激增，群体性投诉和预付卡风险预警；签收、处置、办结"),
    NavItem("预警阈值", "alerts:settings", frozenset({Role.JOINT_OFFICE} | AUDIT_READERS), order=54,
            description="设置投诉激增、群体性投诉和预付卡风险的预警阈值"),
    NavItem("预付卡申报", "alerts:prepaid_list", frozenset({Role.MERCHANT}), order=8,
            description="美容美发、运动健身、教育培训经营者申报预付卡种类、余额和资金存管情况"),
)
