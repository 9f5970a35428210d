from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

READERS = frozenset(STAFF_ROLES | AUDIT_READERS)
register(
    NavItem("资讯发布", "content:staff_list", READERS, order=70,
            description="撰写公告、典型案例、普法、消费警示、抽检不合格和召回信息，提交审核后在门户发布"),
    NavItem("资讯审核", "content:staff_review", READERS, order=71,
            description="联席会议办公室或发布部门负责人审核待发布的资讯，查看发布时将遮盖的个人信息"),
    NavItem("满意度调查", "content:staff_surveys", READERS, order=72,
            description="设置行业满意度调查，调查结束后公布结果并导出 XLSX"),
)
