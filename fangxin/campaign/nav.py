from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

register(
    NavItem("我的经营主体", "campaign:merchant_home", frozenset({Role.MERCHANT}), group="创建单位", order=5,
            description="认领主体、登记创建、下载标志"),
    NavItem("创建单位名录", "campaign:roster", frozenset(STAFF_ROLES | AUDIT_READERS), group="创建单位", order=20,
            description="按旗县区、行业查看创建单位，导出 Excel"),
    NavItem("认领审核", "campaign:claims", frozenset(STAFF_ROLES), group="创建单位", order=25, description="确认经营者认领的市场主体"),
    NavItem("标志举报", "campaign:badge_reports", frozenset(STAFF_ROLES | AUDIT_READERS), group="创建单位", order=30,
            description="消费者举报的疑似伪造、冒用标志"),
)
