"""Workbench menu entries of the review, publicity and title pages."""

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

STAFF_AND_READERS = frozenset(STAFF_ROLES | AUDIT_READERS)

register(
    NavItem("示范单位评审", "campaign:applications", STAFF_AND_READERS, group="示范单位", order=34,
            description="示范单位申报：待我评审、逐项评分、利益冲突声明"),
    NavItem("示范单位公示", "campaign:publicities", STAFF_AND_READERS, group="示范单位", order=35,
            description="发布候选名单公示、答复异议、期满授牌"),
    NavItem("示范单位称号", "campaign:titles", STAFF_AND_READERS, group="示范单位", order=36,
            description="已授予的称号、证书编号和证书下载"),
)
