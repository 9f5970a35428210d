from django.db import models


class ListKind(models.TextChoices):
    ABNORMAL = "abnormal", "经营异常名录"
    SERIOUS = "serious", "严重违法失信名单"
    WARNING = "warning", "警示名单"


class ExitReason(models.TextChoices):
    REMEDIED = "remedied", "已改正"
    REPAIR_SERVED = "repair_served", "信用修复期满"
    DECISION_REVOKED = "decision_revoked", "决定被撤销"
