from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.workbench.navigation import NavItem, register

register(
    NavItem("投诉办理", "complaints:queue", frozenset(STAFF_ROLES | AUDIT_READERS), order=10,
            description="待受理、调解中、即将到期和已逾期的投诉举报"),
    NavItem("登记投诉", "complaints:staff_new", frozenset(STAFF_ROLES), order=11,
            description="登记热线、来访、来信和服务站收到的投诉"),
    NavItem("投诉统计", "complaints:metrics", frozenset(STAFF_ROLES | AUDIT_READERS), order=12,
            description="处理率、处理成功率、满意率等指标"),
    NavItem("维权服务站", "complaints:stations", frozenset(STAFF_ROLES), order=40,
            description="按旗县区、苏木乡镇维护维权服务站"),
    NavItem("通知发件箱", "complaints:outbox", frozenset(STAFF_ROLES | AUDIT_READERS), order=45,
            description="发给消费者和经营者的短信、邮件及发送状态"),
    NavItem("消费者投诉", "complaints:merchant_list", frozenset({Role.MERCHANT}), order=6,
            description="先行和解、回复公示"),
)
