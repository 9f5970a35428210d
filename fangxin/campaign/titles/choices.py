"""Codes of the demonstration-title workflow (示范单位), with the Chinese labels users read."""

from django.db import models


class TitleLevel(models.TextChoices):
    COUNTY = "county", "旗县区级"
    CITY = "city", "盟市级"
    REGION = "region", "自治区级"


LEVEL_ORDER = (TitleLevel.COUNTY, TitleLevel.CITY, TitleLevel.REGION)
DEFAULT_PASS_MARK = {TitleLevel.COUNTY: 80, TitleLevel.CITY: 85, TitleLevel.REGION: 90}
# the region level whose bureau runs each title level (RegionLevel codes)
REGION_LEVEL_OF = {TitleLevel.COUNTY: "county", TitleLevel.CITY: "city", TitleLevel.REGION: "region"}


def next_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def previous_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index - 1] if index > 0 else None


class StandardStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class ItemKind(models.TextChoices):
    SCORED = "scored", "评分项"
    VETO = "veto", "一票否决项"
    BONUS = "bonus", "加分项"


class CycleStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待评审"
    REVIEWING = "reviewing", "评审中"
    PASSED = "passed", "评审通过"
    FAILED = "failed", "评审未通过"
    PUBLICITY = "publicity", "公示中"
    AWARDED = "awarded", "已授牌"
    REMOVED = "removed", "异议成立，取消"
    WITHDRAWN = "withdrawn", "已撤回"
    REVOKED = "revoked", "称号已撤销"


APPLICATION_TONE = {
    ApplicationStatus.SUBMITTED: "warning", ApplicationStatus.REVIEWING: "info", ApplicationStatus.PASSED: "info",
    ApplicationStatus.FAILED: "muted", ApplicationStatus.PUBLICITY: "info", ApplicationStatus.AWARDED: "success",
    ApplicationStatus.REMOVED: "muted", ApplicationStatus.WITHDRAWN: "muted", ApplicationStatus.REVOKED: "danger",
}


class ReviewerRole(models.TextChoices):
    LEAD_DEPARTMENT = "lead_department", "行业牵头部门"
    ASSOCIATION = "association", "消费者协会"


class Decision(models.TextChoices):
    APPROVE = "approve", "同意"
    REJECT = "reject", "不同意"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待答复"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class TitleStatus(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "已到期"
    REVOKED = "revoked", "已撤销"


class TriggerKind(models.TextChoices):
    SERIOUS_LIST = "serious_list", "列入严重违法失信名单"
    ABNORMAL_LIST = "abnormal_list", "列入经营异常名录"
    FAILED_INSPECTION = "failed_inspection", "抽查检查不合格"
    SERIOUS_COMPLAINT = "serious_complaint", "群体性或重大投诉"
    COMPLAINT_SURGE = "complaint_surge", "投诉调解成功件数超限"
    CREDIT_RULE = "credit_rule", "联合惩戒规则"
    MANUAL = "manual", "工作人员发起"


class CaseStatus(models.TextChoices):
    OPEN = "open", "待处理"
    REVOKED = "revoked", "已撤销资格"
    KEPT = "kept", "保留资格"


class DesignationKind(models.TextChoices):
    SECTOR = "sector", "放心消费示范行业"
    COUNTY = "county", "放心消费示范旗县区"
