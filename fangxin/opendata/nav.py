from fangxin.workbench.navigation import NavItem, register

from .services import REQUESTERS

register(
    NavItem("报告", "opendata:reports", REQUESTERS, group="统计分析", order=69,
            description="生成年度创建工作报告（PDF/Word）和月度投诉分析（Excel），生成后下载"),
)
