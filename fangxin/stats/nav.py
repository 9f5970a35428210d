from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

READERS = frozenset(STAFF_ROLES | AUDIT_READERS)

register(
    NavItem("创建覆盖（目标一）", "stats:goal_one", READERS, group="统计分析", order=60,
            description="创建单位和示范单位称号按行业 × 旗县区的热力图"),
    NavItem("经营者和解（目标二）", "stats:goal_two", READERS, group="统计分析", order=61,
            description="纠纷解决在经营者：经营者和解占办结投诉的比例，按旗县区和月份"),
    NavItem("投诉处理（目标四）", "stats:goal_four", READERS, group="统计分析", order=62,
            description="处理率、处理成功率、满意率按月与上年同期对比；维权服务站覆盖"),
)
