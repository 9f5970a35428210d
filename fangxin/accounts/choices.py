from django.db import models


class Role(models.TextChoices):
    MERCHANT = "merchant", "经营者"
    COUNTY_STAFF = "county_staff", "旗县区工作人员"
    DEPARTMENT_STAFF = "department_staff", "职能部门工作人员"
    CONSUMER_ASSOCIATION = "consumer_association", "消费者协会"
    JOINT_OFFICE = "joint_office", "联席会议办公室"
    AUDITOR = "auditor", "审计员"
    SYSADMIN = "sysadmin", "系统管理员"


STAFF_ROLES = frozenset({Role.COUNTY_STAFF, Role.DEPARTMENT_STAFF, Role.CONSUMER_ASSOCIATION, Role.JOINT_OFFICE})
REGION_SCOPED_ROLES = STAFF_ROLES  # they see a region subtree (department staff also narrowed by sector)
WHOLE_SYSTEM_ROLES = frozenset({Role.AUDITOR, Role.SYSADMIN})
READ_ONLY_ROLES = frozenset({Role.AUDITOR})
