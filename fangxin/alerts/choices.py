"""Codes of the early-warning capability, with the Chinese labels users read."""

from django.db import models

from . import detection


class WarningKind(models.TextChoices):
    ENTITY_SURGE = detection.KIND_ENTITY, "经营者投诉激增"
    GROUP_SURGE = detection.KIND_GROUP, "行业投诉激增（旗县区）"
    PROBLEM_SURGE = detection.KIND_PROBLEM, "问题类型投诉激增（旗县区）"
    MASS_INCIDENT = detection.KIND_MASS, "群体性投诉"
    PREPAID_RISK = detection.KIND_PREPAID, "预付卡风险"


class Severity(models.TextChoices):
    HIGH = detection.HIGH, "高"
    MEDIUM = detection.MEDIUM, "中"


class WarningStatus(models.TextChoices):
    OPEN = "open", "待签收"
    ACKNOWLEDGED = "acknowledged", "已签收"
    HANDLING = "handling", "处置中"
    CLOSED = "closed", "已办结"


STATUS_TONE = {WarningStatus.OPEN: "warning", WarningStatus.ACKNOWLEDGED: "info",
               WarningStatus.HANDLING: "info", WarningStatus.CLOSED: "muted"}
SEVERITY_TONE = {Severity.HIGH: "danger", Severity.MEDIUM: "warning"}
UNCLOSED = (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED, WarningStatus.HANDLING)


class CardType(models.TextChoices):
    STORED_VALUE = "stored_value", "储值卡（充值卡）"
    COUNT = "count", "次卡"
    PERIOD = "period", "期限卡（月卡、季卡、年卡）"
    COURSE = "course", "课程包（课时卡）"


class Custody(models.TextChoices):
    BANK = "bank", "银行资金存管"
    GUARANTEE = "guarantee", "保证保险或第三方担保"
    DEPOSIT = "deposit", "风险保证金"
    NONE = "none", "无存管或担保"


# Policy 四(十二): beauty and hairdressing, fitness; education and training issue the same cards.
PREPAID_SECTORS = ("beauty_fitness", "education")
