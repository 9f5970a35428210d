"""Codes of the supervision capability (督导 tasks and 督导评价), with the Chinese labels users read."""

from django.db import models


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "推进中"
    SUBMITTED = "submitted", "已报完成"
    DONE = "done", "已办结"
    RETURNED = "returned", "已退回"


STATUS_TONE = {AssignmentStatus.ASSIGNED: "warning", AssignmentStatus.IN_PROGRESS: "info",
               AssignmentStatus.SUBMITTED: "info", AssignmentStatus.DONE: "success",
               AssignmentStatus.RETURNED: "danger"}
OPEN_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.RETURNED)
UNFINISHED = (*OPEN_STATUSES, AssignmentStatus.SUBMITTED)


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "未发布（可调整）"
    PUBLISHED = "published", "已发布（锁定）"


class Indicator(models.TextChoices):
    """Every indicator is a share in [0, 1] computed from the platform's own records (evaluation.py)."""

    ENROLLMENT_COVERAGE = "enrollment_coverage", "创建单位覆盖率"
    TITLE_COVERAGE = "title_coverage", "示范单位覆盖率"
    HANDLING_RATE = "handling_rate", "投诉处理率"
    SUCCESS_RATE = "success_rate", "投诉处理成功率"
    SATISFACTION_RATE = "satisfaction_rate", "消费者满意率"
    TIMELINESS = "timeliness", "投诉办理及时率"
    TASKS_ON_TIME = "tasks_on_time", "督导任务按期完成率"
    WARNINGS_CLOSED = "warnings_closed", "预警办结率"


# The scheme a new year starts with: weights in points (they sum to 100) and the target share that earns
# the full 100 points for the indicator.
DEFAULT_INDICATORS = [
    (Indicator.ENROLLMENT_COVERAGE, 15, "0.30"),
    (Indicator.TITLE_COVERAGE, 10, "0.05"),
    (Indicator.HANDLING_RATE, 15, "0.95"),
    (Indicator.SUCCESS_RATE, 15, "0.80"),
    (Indicator.SATISFACTION_RATE, 15, "0.90"),
    (Indicator.TIMELINESS, 10, "1.00"),
    (Indicator.TASKS_ON_TIME, 10, "1.00"),
    (Indicator.WARNINGS_CLOSED, 10, "1.00"),
]
