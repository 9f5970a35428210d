"""Status and code lists of the complaint workflow, with the Chinese labels users read."""

from django.db import models


class Kind(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"


class Channel(models.TextChoices):
    WEB = "web", "网上投诉"
    HOTLINE = "hotline", "热线电话"
    WALK_IN = "walk_in", "来访"
    LETTER = "letter", "来信"
    STATION = "station", "维权服务站"
    API = "api", "系统对接"
    IMPORT = "import", "批量导入"


class Status(models.TextChoices):
    OPERATOR = "operator", "经营者处理中"
    OPERATOR_OFFERED = "operator_offered", "待消费者确认和解方案"
    RECEIVED = "received", "待受理"
    ACCEPTED = "accepted", "已受理"
    MEDIATING = "mediating", "调解中"
    TESTING = "testing", "检测鉴定中"
    OPERATOR_SETTLED = "operator_settled", "经营者和解"
    REFUSED = "refused", "不予受理"
    AGREEMENT = "agreement", "调解成功"
    MEDIATION_ENDED = "mediation_ended", "终止调解"
    REFERRED = "referred", "已转诉调对接"
    WITHDRAWN = "withdrawn", "已撤回"
    # reports (举报) have their own short track
    REPORT_RECEIVED = "report_received", "举报待核查"
    CASE_OPENED = "case_opened", "已立案"
    CASE_NOT_OPENED = "case_not_opened", "不予立案"


OPEN_STATUSES = frozenset({Status.OPERATOR, Status.OPERATOR_OFFERED, Status.RECEIVED, Status.ACCEPTED,
                           Status.MEDIATING, Status.TESTING, Status.REPORT_RECEIVED})
CLOSED_STATUSES = frozenset({Status.OPERATOR_SETTLED, Status.REFUSED, Status.AGREEMENT, Status.MEDIATION_ENDED,
                             Status.REFERRED, Status.WITHDRAWN, Status.CASE_OPENED, Status.CASE_NOT_OPENED})
OPERATOR_STAGE = frozenset({Status.OPERATOR, Status.OPERATOR_OFFERED})
BUREAU_ACCEPTED = frozenset({Status.ACCEPTED, Status.MEDIATING, Status.TESTING, Status.AGREEMENT,
                             Status.MEDIATION_ENDED, Status.REFERRED})
SETTLED_STATUSES = frozenset({Status.OPERATOR_SETTLED, Status.AGREEMENT})

STATUS_TONE = {  # badge colour class in the UI
    Status.OPERATOR: "info", Status.OPERATOR_OFFERED: "info", Status.RECEIVED: "warning",
    Status.ACCEPTED: "info", Status.MEDIATING: "info", Status.TESTING: "muted",
    Status.OPERATOR_SETTLED: "success", Status.AGREEMENT: "success", Status.REFUSED: "muted",
    Status.MEDIATION_ENDED: "muted", Status.REFERRED: "muted", Status.WITHDRAWN: "muted",
    Status.REPORT_RECEIVED: "warning", Status.CASE_OPENED: "success", Status.CASE_NOT_OPENED: "muted",
}


class SettlementType(models.TextChoices):
    REFUND = "refund", "退货退款"
    EXCHANGE = "exchange", "换货"
    REPAIR = "repair", "修理"
    COMPENSATION = "compensation", "赔偿"
    ADVANCE_COMPENSATION = "advance_compensation", "赔偿先付"
    OTHER = "other", "其他"


class ReasonKind(models.TextChoices):
    REFUSAL = "refusal", "不予受理情形"
    END_GROUND = "end_ground", "终止调解情形"


class ReferralDestination(models.TextChoices):
    PEOPLES_MEDIATION = "peoples_mediation", "人民调解委员会"
    COURT = "court", "人民法院"
    ARBITRATION = "arbitration", "仲裁机构"
    CONSUMER_ASSOCIATION = "consumer_association", "消费者协会"


class DayUnit(models.TextChoices):
    WORKDAY = "workday", "工作日"
    CALENDAR = "calendar", "自然日"


class DocumentKind(models.TextChoices):
    REGISTRATION = "registration", "投诉登记表"
    REPORT_REGISTRATION = "report_registration", "举报登记表"
    TRANSFER = "transfer", "分送通知书"
    IDENTITY_REQUEST = "identity_request", "补充身份证明通知书"
    ACCEPTANCE = "acceptance", "受理决定书"
    REFUSAL = "refusal", "不予受理决定书"
    MEDIATION_NOTICE = "mediation_notice", "调解通知书"
    END_MEDIATION = "end_mediation", "终止调解决定书"
    AGREEMENT = "agreement", "调解书"
    REPORT_OUTCOME = "report_outcome", "举报处理结果告知书"


class Rating(models.IntegerChoices):
    VERY_POOR = 1, "很不满意"
    POOR = 2, "不满意"
    FAIR = 3, "一般"
    GOOD = 4, "满意"
    VERY_GOOD = 5, "很满意"


class NotifyRecipient(models.TextChoices):
    CONSUMER = "consumer", "消费者"
    BUSINESS = "business", "经营者"
    STAFF = "staff", "工作人员"


# Alternative routes a refusal must name (Consumer Rights Protection Law art. 39).
ALTERNATIVE_ROUTES = (
    "与经营者协商和解",
    "请求消费者协会或者依法成立的其他调解组织调解",
    "向有关行政部门投诉",
    "根据与经营者达成的仲裁协议提请仲裁机构仲裁",
    "向人民法院提起诉讼",
)
