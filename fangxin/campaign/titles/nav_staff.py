from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

OFFICE_READERS = frozenset({Role.JOINT_OFFICE} | AUDIT_READERS)
CASE_READERS = frozenset({Role.JOINT_OFFICE, Role.CONSUMER_ASSOCIATION} | AUDIT_READERS)

register(
    NavItem("评价标准", "campaign:standards", frozenset(STAFF_ROLES | AUDIT_READERS), group="示范单位", order=50,
            description="各行业、各级示范单位评价标准；牵头部门修订并发布新版本"),
    NavItem("创建年度", "campaign:cycles", OFFICE_READERS, group="示范单位", order=51,
            description="开启和结束年度的示范单位申报，设定日期、公示期和名额"),
    NavItem("动态管理", "campaign:cases", CASE_READERS, group="示范单位", order=52,
            description="列入失信名单、投诉超限等触发的复核，撤销或保留资格"),
    NavItem("示范行业与旗县区", "campaign:coverage", CASE_READERS, group="示范单位", order=53,
            description="按行业和旗县区统计示范单位覆盖率，认定示范行业和示范旗县区"),
)
