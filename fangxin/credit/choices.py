from django.db import models


class ListKind(models.TextChoices):
    ABNORMAL = "abnormal", "经营异常名录"
    SERIOUS = "serious", "严重违法失信名单"
    WARNING = "warning", "警示名单"


class ExitReason(models.TextChoices):
    REMEDIED = "remedied", "已改正"
    REPAIR_SERVED = "repair_served", "信用修复期满"
    DECISION_REVOKED = "decision_revoked", "决定被撤销"


class EventKind(models.TextChoices):
    COMPLAINT_UPHELD = "complaint_upheld", "投诉调解成功"
    MEDIATION_REFUSED = "mediation_refused", "拒绝调解"
    OPERATOR_SETTLED = "operator_settled", "经营者和解"
    ADVANCE_COMPENSATION = "advance_compensation", "赔偿先付"
    INSPECTION_PASSED = "inspection_passed", "抽查检查合格"
    INSPECTION_FAILED = "inspection_failed", "抽查检查不合格"
    PENALTY = "penalty", "行政处罚"
    LIST_ENTERED = "list_entered", "列入信用名单"
    LIST_EXITED = "list_exited", "移出信用名单"
    COMMITMENT_BREACH = "commitment_breach", "违反经营承诺"
    TITLE_AWARDED = "title_awarded", "获得示范单位称号"
    TITLE_REVOKED = "title_revoked", "撤销示范单位称号"
    CREDIT_REPAIRED = "credit_repaired", "信用修复"


class Grade(models.TextChoices):
    A = "A", "A 级（守信）"
    B = "B", "B 级（基本守信）"
    C = "C", "C 级（失信风险）"
    D = "D", "D 级（严重失信）"


class GradeModelStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class RuleConditionKind(models.TextChoices):
    LIST = "list", "列入信用名单"
    GRADE = "grade", "信用等级"


class RuleEffect(models.TextChoices):
    BLOCK_ENROLLMENT = "block_enrollment", "不得参加放心消费创建"
    BLOCK_TITLE_APPLICATION = "block_title_application", "不得申报示范单位"
    TITLE_REVIEW = "title_review", "已获称号进入复核"
    RAISE_INSPECTION_RATIO = "raise_inspection_ratio", "提高抽查比例"
    PROFILE_WARNING = "profile_warning", "在公开信息页提示"


class RepairTargetKind(models.TextChoices):
    EVENT = "event", "信用事件"
    LIST_ENTRY = "list_entry", "名单记录"


class RepairStatus(models.TextChoices):
    SUBMITTED = "submitted", "待决定"
    APPROVED = "approved", "准予修复"
    REJECTED = "rejected", "不予修复"
