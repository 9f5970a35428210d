from django.db import models


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    SUSPENDED = "suspended", "暂停"
    REVOKED = "revoked", "已撤销"
    WITHDRAWN = "withdrawn", "已退出"


CURRENT_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED)


class DisplayMethod(models.TextChoices):
    IN_STORE = "in_store", "在经营场所悬挂、张贴"
    ONLINE = "online", "在网店页面标注"
    BOTH = "both", "经营场所和网店都展示"


class BadgeStatus(models.TextChoices):
    """What a consumer sees after scanning a badge."""

    VALID = "valid", "有效"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已撤销"
    EXPIRED = "expired", "已失效"
    UNKNOWN = "unknown", "查无此标志"
    COUNTERFEIT = "counterfeit", "疑似伪造"


class BadgeReportStatus(models.TextChoices):
    OPEN = "open", "待处理"
    HANDLED = "handled", "已处理"
