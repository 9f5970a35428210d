from fangxin.accounts.choices import Role
from fangxin.workbench.navigation import NavItem, register

register(
    NavItem("示范单位申报", "campaign:my_applications", frozenset({Role.MERCHANT}), group="示范单位", order=7,
            description="申报旗县区、盟市、自治区级放心消费示范单位，查看评审进度和证书"),
)
