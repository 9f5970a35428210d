"""/api/v1/credit/…: grades and their explanation, joint-punishment rules, credit repair.

A business's grade with its explanation is read by the staff in scope, auditors and the business's own merchant
(404 outside the caller's scope, as for a missing one). The rules are read by every signed-in caller and changed
by the joint-meeting office only. Repair requests: the merchant submits (multipart, with evidence files), the
county staff of the business's county or the joint-meeting office decide; both read within their scope."""

from datetime import datetime

from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.actors import Actor
from fangxin.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from fangxin.merchants import selectors as entity_selectors

from . import repair, rules, selectors
from .choices import RepairStatus
from .models import CreditEvent, JointRule, ListEntry

router = Router(tags=["信用等级与联合惩戒"])
READERS = frozenset(STAFF_ROLES | AUDIT_READERS | {Role.MERCHANT})


# --- schemas ---------------------------------------------------------------------------------------------------

class HistoryOut(Schema):
    from_grade: str
    to_grade: str
    score: str
    model_version: int
    changed_at: datetime
    event_id: int | None


class GradeExplainedOut(Schema):
    """`explanation`: as stored with the grade (docs/credit.md): base, events (each with points, decay factor and
    the points applied), repaired (events left out after credit repair), raw_score, score, grade_by_score,
    list_caps, grade. `warnings`: what the public profile shows under the joint-punishment rules."""

    uscc: str
    name: str
    graded: bool
    grade: str | None
    grade_label: str | None
    score: str | None
    model_version: int | None
    computed_at: datetime | None
    explanation: dict
    history: list[HistoryOut]
    rules_applied: list[str]
    warnings: list[str]


class RuleOut(Schema):
    id: int
    name: str
    condition_kind: str
    condition_value: str
    condition_label: str
    effects: list[str]
    effect_labels: list[str]
    inspection_ratio: str | None
    warning_text: str
    basis: str
    active: bool
    position: int

    @staticmethod
    def resolve_inspection_ratio(rule):
        return None if rule.inspection_ratio is None else str(rule.inspection_ratio)


class RuleIn(Schema):
    name: str
    condition_kind: str
    condition_value: str
    effects: list[str]
    inspection_ratio: str | None = None
    warning_text: str = ""
    basis: str = ""
    active: bool = True
    position: int = 100


class RepairOut(Schema):
    id: int
    uscc: str
    name: str
    target_kind: str
    event_id: int | None
    list_entry_id: int | None
    target: str
    statement: str
    status: str
    status_label: str
    submitted_at: datetime
    decided_at: datetime | None
    decision_reason: str
    document_number: str
    repair_event_id: int | None
    evidence: list[str]

    @staticmethod
    def resolve_uscc(r):
        return r.entity.uscc

    @staticmethod
    def resolve_name(r):
        return r.entity.name

    @staticmethod
    def resolve_target(r):
        return r.target_label

    @staticmethod
    def resolve_status_label(r):
        return r.get_status_display()

    @staticmethod
    def resolve_submitted_at(r):
        return r.created_at

    @staticmethod
    def resolve_evidence(r):
        return [f.original_name for f in r.evidence.all()]


class RepairFilter(Schema):
    status: str = ""


class DecisionIn(Schema):
    approve: bool
    reason: str
    document_number: str = ""


# --- helpers ---------------------------------------------------------------------------------------------------

def _reader(request) -> None:
    if getattr(request.auth, "role", None) not in READERS:
        raise PermissionDenied("无权查看信用等级。")


def _staff_reader(request) -> None:
    if getattr(request.auth, "role", None) not in STAFF_ROLES | AUDIT_READERS | {Role.MERCHANT}:
        raise PermissionDenied("无权查看联合惩戒规则。")


# --- grades ----------------------------------------------------------------------------------------------------

@router.get("/credit/grades/{uscc}", response=GradeExplainedOut, auth=STAFF_AUTH, summary="市场主体的信用等级和评级说明",
            description="等级、信用分、模型版本、评级说明（影响等级的事件及分值、名单封顶、已修复的事件）和等级变化；"
                        "rules_applied 为当前适用于该主体的联合惩戒规则。经营者只能查看本单位。")
def grade_detail(request, uscc: str):
    _reader(request)
    entity = entity_selectors.entity_get(user=request.auth, uscc=uscc)
    grade = selectors.grade_of(entity)
    history = [{"from_grade": h.from_grade, "to_grade": h.to_grade, "score": str(h.score),
                "model_version": h.model_version, "changed_at": h.changed_at, "event_id": h.event_id}
               for h in selectors.grade_history(entity)]
    return {"uscc": entity.uscc, "name": entity.name, "graded": grade is not None,
            "grade": grade.grade if grade else None, "grade_label": grade.get_grade_display() if grade else None,
            "score": str(grade.score) if grade else None, "model_version": grade.model_version if grade else None,
            "computed_at": grade.computed_at if grade else None, "explanation": grade.explanation if grade else {},
            "history": history, "rules_applied": [m.message for m in rules.matches(entity)],
            "warnings": rules.profile_warnings(entity)}


# --- rules -----------------------------------------------------------------------------------------------------

@router.get("/credit/rules", response=list[RuleOut], auth=STAFF_AUTH, summary="联合惩戒规则")
def rule_list(request):
    _staff_reader(request)
    rules.ensure_default_rules()
    return list(selectors.rules_all())


@router.post("/credit/rules", response={201: RuleOut}, auth=STAFF_AUTH, summary="新增联合惩戒规则（联席会议办公室）")
def rule_create(request, payload: RuleIn):
    rule = rules.rule_create(actor=Actor.from_request(request), data=payload.dict())
    return Status(201, rule)


@router.put("/credit/rules/{rule_id}", response=RuleOut, auth=STAFF_AUTH, summary="修改联合惩戒规则（联席会议办公室）",
            description="整条规则替换；停用规则请传 active=false（规则不删除）。")
def rule_update(request, rule_id: int, payload: RuleIn):
    rule = JointRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("未找到该规则。")
    return rules.rule_update(actor=Actor.from_request(request), rule=rule, data=payload.dict())


# --- repair ----------------------------------------------------------------------------------------------------

@router.get("/credit/repairs", response=list[RepairOut], auth=STAFF_AUTH, summary="信用修复申请（管辖范围内）")
def repair_list(request, filters: Query[RepairFilter]):
    _reader(request)
    rows = selectors.repairs_visible(request.auth).prefetch_related("evidence")
    if filters.status:
        if filters.status not in RepairStatus.values:
            raise ValidationFailed(f"未知的状态：{filters.status}", details={"field": "status"})
        rows = rows.filter(status=filters.status)
    return list(rows[:500])


@router.get("/credit/repairs/{repair_id}", response=RepairOut, auth=STAFF_AUTH, summary="一件信用修复申请")
def repair_detail(request, repair_id: int):
    _reader(request)
    return selectors.repair_get(request.auth, repair_id)


@router.post("/credit/repairs", response={201: RepairOut}, auth=STAFF_AUTH, summary="申请信用修复（经营者）",
             description="multipart/form-data：uscc；event_id（信用事件）或 list_entry_id（名单记录）二选一；"
                         "statement 修复理由；files 证明材料（图片或 PDF，至少 1 个）。")
def repair_submit(request, uscc: Form[str], statement: Form[str], files: File[list[UploadedFile]],
                  event_id: Form[int | None] = None, list_entry_id: Form[int | None] = None):
    entity = entity_selectors.entity_get(user=request.auth, uscc=uscc)
    event = CreditEvent.objects.filter(pk=event_id, entity=entity).first() if event_id else None
    entry = ListEntry.objects.filter(pk=list_entry_id, entity=entity).first() if list_entry_id else None
    if (event_id and event is None) or (list_entry_id and entry is None):
        raise NotFound("未找到该记录。")
    created = repair.repair_submit(actor=Actor.from_request(request), entity=entity, statement=statement,
                                   files=files, event=event, list_entry=entry)
    return Status(201, created)


@router.post("/credit/repairs/{repair_id}/decision", response=RepairOut, auth=STAFF_AUTH,
             summary="决定信用修复申请（本辖区旗县区工作人员、联席会议办公室）",
             description="approve=true 准予修复：事件不再计分（或移出名单），等级随即重新计算；已决定的申请返回 409。")
def repair_decision(request, repair_id: int, payload: DecisionIn):
    item = selectors.repair_get(request.auth, repair_id)
    return repair.repair_decide(actor=Actor.from_request(request), request=item, approve=payload.approve,
                                reason=payload.reason, document_number=payload.document_number)
