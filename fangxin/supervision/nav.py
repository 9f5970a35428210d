from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

register(
    NavItem("督导任务", "supervision:board", frozenset(STAFF_ROLES | AUDIT_READERS), order=14,
            description="联席会议办公室交办部门、旗县区的督导任务：进展报送、完成确认、到期提醒"),
    NavItem("督导评价", "supervision:evaluation_index", frozenset(STAFF_ROLES | AUDIT_READERS), order=15,
            description="旗县区年度督导评价：指标、权重、排名和分项得分，导出 XLSX 和 PDF 报告"),
)
