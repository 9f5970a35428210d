from django.db import models


class EntityType(models.TextChoices):
    COMPANY = "company", "企业"
    INDIVIDUAL = "individual", "个体工商户"
    COOPERATIVE = "cooperative", "农民专业合作社"
    BRANCH = "branch", "分支机构"
    OTHER = "other", "其他"


class OperatingStatus(models.TextChoices):
    OPERATING = "operating", "存续（在营）"
    SUSPENDED = "suspended", "停业"
    CANCELLED = "cancelled", "注销"
    REVOKED = "revoked", "吊销"
