from fangxin.accounts.choices import Role
from fangxin.workbench.navigation import NavItem, register

register(
    NavItem("批量导入", "registry_import:upload", frozenset({Role.COUNTY_STAFF, Role.JOINT_OFFICE, Role.SYSADMIN}),
            order=15, description="从 Excel 或 CSV 导入市场主体名录"),
)
