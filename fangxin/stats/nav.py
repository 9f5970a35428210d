from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

READERS = frozenset(STAFF_ROLES | AUDIT_READERS)

register(
    NavItem("创建覆盖（目标一）", "stats:goal_one", READERS, group="统计分析", order=60,
            description="创建单位和示范单位称号按行业 × 旗县区的热力图"),
    NavItem("经营者和解（目标二）", "stats:goal_two", READERS, group="统计分析", order=61,
            description="纠纷解决在经营者：经营者和解占办结投诉的比例，按旗县区和月份"),
    NavItem("抽检合格率（目标三）", "stats:goal_three", READERS, group="统计分析", order=62,
            description="抽查检查合格率按旗县区、行业和月份；发现的问题"),
    NavItem("投诉处理（目标四）", "stats:goal_four", READERS, group="统计分析", order=63,
            description="处理率、处理成功率、满意率按月与上年同期对比；维权服务站覆盖"),
    NavItem("预警处置（目标五）", "stats:goal_five", READERS, group="统计分析", order=64,
            description="消费预警按类型和月份；签收率、办结率和中位处置天数"),
    NavItem("信用与公示（目标六）", "stats:goal_six", READERS, group="统计分析", order=65,
            description="信用等级分布、信用名单列入和移出、抽签和检查结果按时公示"),
)
