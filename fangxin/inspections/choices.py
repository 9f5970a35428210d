"""Codes of the random-inspection workflow (双随机一公开), with the Chinese labels users read."""

from django.db import models


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FROZEN = "frozen", "已冻结名录"
    ENTROPY = "entropy", "已录入公开随机数"
    DRAWN = "drawn", "已抽取"
    CLOSED = "closed", "已结束"


PLAN_TONE = {PlanStatus.DRAFT: "muted", PlanStatus.FROZEN: "info", PlanStatus.ENTROPY: "info",
             PlanStatus.DRAWN: "warning", PlanStatus.CLOSED: "success"}


class Outcome(models.TextChoices):
    PASSED = "passed", "未发现问题（合格）"
    PROBLEMS = "problems", "发现问题"
    NOT_FOUND = "not_found", "未发现（通过登记的住所或经营场所无法联系）"
    REFUSED = "refused", "拒绝检查"


# Outcomes that count against the business: a failed-inspection credit event and a review of its titles.
FAILED_OUTCOMES = frozenset({Outcome.PROBLEMS, Outcome.NOT_FOUND, Outcome.REFUSED})
# Outcomes whose description is compulsory (what was found, or what happened at the address).
DESCRIBED_OUTCOMES = FAILED_OUTCOMES

OUTCOME_TONE = {Outcome.PASSED: "success", Outcome.PROBLEMS: "danger", Outcome.NOT_FOUND: "warning",
                Outcome.REFUSED: "danger"}


class ResultStatus(models.TextChoices):
    """Where one inspection stands; derived from its fields (Inspection.result_status), never stored."""

    UNASSIGNED = "unassigned", "未能分派检查组"
    PENDING = "pending", "待检查"
    RECORDED = "recorded", "已录入结果，待公示"
    PUBLISHED = "published", "已公示"


RESULT_TONE = {ResultStatus.UNASSIGNED: "danger", ResultStatus.PENDING: "info", ResultStatus.RECORDED: "warning",
               ResultStatus.PUBLISHED: "success"}

DEFAULT_RATIOS = {"A": "0.03", "B": "0.05", "C": "0.10", "D": "0.20"}
STRATA = ("A", "B", "C", "D")
DEFAULT_TEAM_SIZE = 2
DEFAULT_RECENT_DAYS = 365
PUBLISH_WORKDAYS = 20
