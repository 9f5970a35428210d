"""Every write of the supervision capability: assigning tasks, progress reports, reporting done, the office's
confirmation or return, reminders, and the evaluation schemes. Each public function is one transaction: it
checks the actor and the transition (flows.py), changes state, writes the timeline entry and the audit record,
and queues notifications for after the commit (fangxin.core.notify)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.complaints import evidence
from fangxin.core import audit, notify
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from fangxin.organisation.choices import RegionLevel
from fangxin.organisation.models import Department, Region

from .choices import DEFAULT_INDICATORS, UNFINISHED, AssignmentStatus, Indicator, SchemeStatus
from .flows import ASSIGNMENT_FLOW
from .models import Assignment, AssignmentEvent, EvaluationResult, EvaluationScheme, SchemeIndicator, Task

REMIND_DAYS = 3
S = AssignmentStatus


def _today() -> date:
    return timezone.localdate()


def _office(actor: Actor, message: str) -> None:
    if actor.role not in (Role.JOINT_OFFICE, SYSTEM_ROLE):
        raise PermissionDenied(message)


def is_assignee(user, assignment: Assignment) -> bool:
    """The county's staff for a county assignment; the department's staff for a department assignment."""
    role = getattr(user, "role", None)
    if assignment.region_id:
        return (role == Role.COUNTY_STAFF and bool(getattr(user, "region_id", None))
                and assignment.region.path.startswith(user.region.path))
    return (role in (Role.DEPARTMENT_STAFF, Role.CONSUMER_ASSOCIATION)
            and getattr(user, "department_id", None) == assignment.department_id)


def _assignee(actor: Actor, assignment: Assignment) -> None:
    if actor.role != SYSTEM_ROLE and not is_assignee(actor.user, assignment):
        raise PermissionDenied("只有承办单位可以报送进度。")


# --- tasks -----------------------------------------------------------------------------------------------------

@dataclass
class TaskInput:
    title: str
    description: str
    due_on: date
    basis: str = ""
    department_ids: tuple[int, ...] = ()
    region_ids: tuple[int, ...] = ()


def task_create(*, actor: Actor, data: TaskInput) -> Task:
    _office(actor, "督导任务由联席会议办公室交办。")
    title, description, basis = (data.title or "").strip(), (data.description or "").strip(), (data.basis or "").strip()
    if not title:
        raise ValidationFailed("请填写任务名称。", details={"field": "title"})
    if len(title) > 100:
        raise ValidationFailed("任务名称最多 100 个字。", details={"field": "title"})
    if not description:
        raise ValidationFailed("请填写任务内容。", details={"field": "description"})
    if len(description) > 5000:
        raise ValidationFailed("任务内容最多 5000 个字。", details={"field": "description"})
    if len(basis) > 200:
        raise ValidationFailed("政策依据最多 200 个字。", details={"field": "basis"})
    if not isinstance(data.due_on, date):
        raise ValidationFailed("请填写完成时限。", details={"field": "due_on"})
    if data.due_on < _today():
        raise ValidationFailed("完成时限不能早于今天。", details={"field": "due_on"})
    departments = list(Department.objects.filter(pk__in=set(data.department_ids), is_active=True).order_by("code"))
    regions = list(Region.objects.filter(pk__in=set(data.region_ids), level=RegionLevel.COUNTY).order_by("code"))
    if len(departments) != len(set(data.department_ids)) or len(regions) != len(set(data.region_ids)):
        raise ValidationFailed("承办单位应为在用的职能部门或旗县区。", details={"field": "assignees"})
    if not departments and not regions:
        raise ValidationFailed("请至少选择一个承办部门或旗县区。", details={"field": "assignees"})
    with transaction.atomic():
        task = Task.objects.create(title=title, description=description, basis=basis, due_on=data.due_on,
                                   created_by=actor.name)
        assignments = [Assignment(task=task, department=d) for d in departments]
        assignments += [Assignment(task=task, region=r) for r in regions]
        now = timezone.now()
        for assignment in assignments:
            assignment.save()
            _event(assignment, actor=actor, action="assign", label="交办", to_status=S.ASSIGNED, at=now)
        audit.record(actor=actor, action="supervision.task.create", obj=task,
                     changes={"title": [None, title], "due_on": [None, str(data.due_on)],
                              "assignees": [None, [a.assignee_name for a in assignments]]})
        notify.queue(_messages(assignments, f"【放心消费】联席会议办公室交办督导任务“{title}”，完成时限 "
                                            f"{data.due_on:%Y-%m-%d}。请登录工作台查看并报送进度。"))
    return task


def progress_report(*, actor: Actor, assignment: Assignment, note: str, percent, attachment=None) -> Assignment:
    """The assignee reports progress: a note, the share done, optionally one file (image or PDF)."""
    _assignee(actor, assignment)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写工作进展。", details={"field": "note"})
    if len(note) > 3000:
        raise ValidationFailed("工作进展最多 3000 个字。", details={"field": "note"})
    try:
        percent = int(str(percent).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("进度应为 0 到 100 的整数。", details={"field": "percent"}) from None
    if not 0 <= percent <= 100:
        raise ValidationFailed("进度应为 0 到 100 的整数。", details={"field": "percent"})
    checked = evidence.check([attachment]) if attachment else []
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
        before = assignment.status
        if before != S.IN_PROGRESS:  # a further report on work in progress is no transition
            ASSIGNMENT_FLOW.check(before, S.IN_PROGRESS)
        assignment.status, assignment.percent = S.IN_PROGRESS, percent
        assignment.save()
        event = _event(assignment, actor=actor, action="progress", label="报送进展", from_status=before,
                       to_status=S.IN_PROGRESS, note=note, percent=percent)
        if checked:
            item = checked[0]
            event.attachment_name = item.name
            event.attachment.save(f"{assignment.pk}-{item.sha256[:16]}.{item.name.rsplit('.', 1)[-1].lower()}",
                                  item.upload, save=True)
        audit.record(actor=actor, action="supervision.assignment.progress", obj=assignment,
                     changes={"status": [before, S.IN_PROGRESS], "percent": [None, percent]})
    return assignment


def assignment_submit(*, actor: Actor, assignment: Assignment, note: str) -> Assignment:
    """The assignee reports the task done; the office then confirms or returns it."""
    _assignee(actor, assignment)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写完成情况。", details={"field": "note"})
    if len(note) > 3000:
        raise ValidationFailed("完成情况最多 3000 个字。", details={"field": "note"})
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
        before = assignment.status
        ASSIGNMENT_FLOW.check(before, S.SUBMITTED)
        assignment.status, assignment.percent, assignment.submitted_on = S.SUBMITTED, 100, _today()
        assignment.save()
        _event(assignment, actor=actor, action="submit", label="报告完成", from_status=before, to_status=S.SUBMITTED,
               note=note, percent=100)
        audit.record(actor=actor, action="supervision.assignment.submit", obj=assignment,
                     changes={"status": [before, S.SUBMITTED]})
        notify.queue(_office_messages(f"【放心消费】{assignment.assignee_name}报告督导任务“{assignment.task.title}”"
                                      f"已完成，请登录工作台确认。", assignment))
    return assignment


def assignment_confirm(*, actor: Actor, assignment: Assignment, note: str = "") -> Assignment:
    _office(actor, "完成情况由联席会议办公室确认。")
    note = (note or "").strip()[:3000]
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
        before = assignment.status
        ASSIGNMENT_FLOW.check(before, S.DONE)
        assignment.status, assignment.done_on, assignment.return_reason = S.DONE, _today(), ""
        assignment.save()
        _event(assignment, actor=actor, action="confirm", label="确认办结", from_status=before, to_status=S.DONE,
               note=note)
        audit.record(actor=actor, action="supervision.assignment.confirm", obj=assignment,
                     changes={"status": [before, S.DONE]})
        notify.queue(_messages([assignment], f"【放心消费】督导任务“{assignment.task.title}”已确认办结。"))
    return assignment


def assignment_return(*, actor: Actor, assignment: Assignment, reason: str) -> Assignment:
    _office(actor, "完成情况由联席会议办公室确认或退回。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写退回理由。", details={"field": "note"})
    if len(reason) > 3000:
        raise ValidationFailed("退回理由最多 3000 个字。", details={"field": "note"})
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
        before = assignment.status
        ASSIGNMENT_FLOW.check(before, S.RETURNED)
        assignment.status, assignment.return_reason, assignment.submitted_on = S.RETURNED, reason, None
        assignment.save()
        _event(assignment, actor=actor, action="return", label="退回", from_status=before, to_status=S.RETURNED,
               note=reason)
        audit.record(actor=actor, action="supervision.assignment.return", obj=assignment,
                     changes={"status": [before, S.RETURNED], "reason": [None, reason]})
        notify.queue(_messages([assignment], f"【放心消费】督导任务“{assignment.task.title}”被退回：{reason}"))
    return assignment


@dataclass
class RemindResult:
    on: date
    reminded: list[Assignment]
    skipped: int


def remind(*, actor: Actor, on: date | None = None) -> RemindResult:
    """Notify the unit heads of every unfinished assignment due within REMIND_DAYS or overdue. Idempotent per day:
    an assignment reminded on `on` already is skipped."""
    on = on or _today()
    due = (Assignment.objects.filter(status__in=UNFINISHED, task__due_on__lte=on + timedelta(days=REMIND_DAYS))
           .exclude(status=S.SUBMITTED).select_related("task", "region", "department").order_by("task__due_on", "id"))
    reminded, skipped = [], 0
    for candidate in due:
        with transaction.atomic():
            assignment = Assignment.objects.select_for_update(of=("self",)).select_related("task", "region", "department").get(
                pk=candidate.pk)
            if assignment.reminded_on == on or assignment.status not in UNFINISHED:
                skipped += 1
                continue
            assignment.reminded_on = on
            assignment.save(update_fields=["reminded_on", "updated_at"])
            days = (assignment.task.due_on - on).days
            when = f"已逾期 {-days} 天" if days < 0 else ("今天到期" if days == 0 else f"还有 {days} 天到期")
            audit.record(actor=actor, action="supervision.assignment.remind", obj=assignment,
                         changes={"reminded_on": [None, str(on)]})
            notify.queue(_messages([assignment], f"【放心消费】督导任务“{assignment.task.title}”{when}"
                                                 f"（时限 {assignment.task.due_on:%Y-%m-%d}），请抓紧办理并报送进度。"))
            reminded.append(assignment)
    return RemindResult(on=on, reminded=reminded, skipped=skipped)


def _event(assignment: Assignment, *, actor: Actor, action: str, label: str, from_status: str = "",
           to_status: str = "", note: str = "", percent: int | None = None, at=None) -> AssignmentEvent:
    return AssignmentEvent.objects.create(assignment=assignment, at=at or timezone.now(), action=action, label=label,
                                          from_status=from_status, to_status=to_status, note=note, percent=percent,
                                          actor_name=actor.name)


def _heads(assignments):
    from fangxin.accounts.models import User

    q = Q()
    for a in assignments:
        if a.region_id:
            q |= Q(role=Role.COUNTY_STAFF, region=a.region_id)
        else:
            q |= Q(role__in=(Role.DEPARTMENT_STAFF, Role.CONSUMER_ASSOCIATION), department=a.department_id)
    return User.objects.filter(q, is_active=True, is_unit_head=True).distinct() if q else User.objects.none()


def _to(users, text: str, object_id: str) -> list[notify.Message]:
    messages = []
    for user in users:
        if user.phone:
            messages.append(notify.Message("sms", user.phone, "督导任务", text, "staff", "supervision", object_id))
        if user.email:
            messages.append(notify.Message("email", user.email, "督导任务", text, "staff", "supervision", object_id))
    return messages


def _messages(assignments, text: str) -> list[notify.Message]:
    out = []
    for a in assignments:
        out += _to(_heads([a]), text, str(a.pk))
    return out


def _office_messages(text: str, assignment: Assignment) -> list[notify.Message]:
    from fangxin.accounts.models import User

    return _to(User.objects.filter(role=Role.JOINT_OFFICE, is_active=True, is_unit_head=True), text, str(assignment.pk))


# --- evaluation schemes ----------------------------------------------------------------------------------------

def scheme_ensure(*, actor: Actor, year: int) -> EvaluationScheme:
    """The year's scheme, created with the defaults (or last year's weights) when there is none yet."""
    if not 2000 <= year <= 2100:
        raise ValidationFailed("年度应在 2000 到 2100 之间。", details={"field": "year"})
    with transaction.atomic():
        scheme = EvaluationScheme.objects.select_for_update().filter(year=year).first()
        if scheme is not None:
            return scheme
        previous = EvaluationScheme.objects.filter(year__lt=year).order_by("-year").first()
        rows = ([(i.code, i.weight, i.target) for i in previous.indicators.all()] if previous
                else [(code, weight, Decimal(target)) for code, weight, target in DEFAULT_INDICATORS])
        scheme = EvaluationScheme.objects.create(year=year, updated_by=actor.name)
        SchemeIndicator.objects.bulk_create([SchemeIndicator(scheme=scheme, code=code, weight=weight, target=target,
                                                             seq=seq) for seq, (code, weight, target) in enumerate(rows)])
        audit.record(actor=actor, action="supervision.scheme.create", obj=scheme,
                     changes={"weights": [None, {code: weight for code, weight, _ in rows}]})
    return scheme


def check_weights(rows: dict[str, tuple[object, object]]) -> dict[str, tuple[int, Decimal]]:
    """{code: (weight, target)} → cleaned; the weights are whole points summing to 100, targets in (0, 1]."""
    cleaned = {}
    for code, (weight, target) in rows.items():
        if code not in Indicator.values:
            raise ValidationFailed(f"未知的评价指标：{code}", details={"field": code})
        label = Indicator(code).label
        try:
            weight = int(str(weight).strip())
        except (TypeError, ValueError):
            raise ValidationFailed(f"{label}的权重应为整数。", details={"field": code}) from None
        try:
            target = Decimal(str(target).strip())
        except InvalidOperation:
            raise ValidationFailed(f"{label}的目标值应为 0.01 到 1 之间的小数。", details={"field": code}) from None
        if not 0 <= weight <= 100:
            raise ValidationFailed(f"{label}的权重应在 0 到 100 之间。", details={"field": code})
        if not target.is_finite() or not Decimal("0.01") <= target <= 1:
            raise ValidationFailed(f"{label}的目标值应为 0.01 到 1 之间的小数。", details={"field": code})
        cleaned[code] = (weight, target.quantize(Decimal("0.01")))
    total = sum(w for w, _ in cleaned.values())
    if total != 100:
        raise ValidationFailed(f"各项权重之和应为 100 分，现为 {total} 分。", details={"field": "weights"})
    return cleaned


def scheme_update(*, actor: Actor, scheme: EvaluationScheme, rows: dict[str, tuple[object, object]]) -> EvaluationScheme:
    _office(actor, "评价方案由联席会议办公室设置。")
    cleaned = check_weights(rows)
    with transaction.atomic():
        scheme = EvaluationScheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme.is_published:
            raise Conflict("评价结果已发布，方案已锁定，不能再调整。")
        before = {i.code: [i.weight, str(i.target)] for i in scheme.indicators.all()}
        scheme.indicators.all().delete()
        order = {code: seq for seq, (code, _, _) in enumerate(DEFAULT_INDICATORS)}
        SchemeIndicator.objects.bulk_create([
            SchemeIndicator(scheme=scheme, code=code, weight=weight, target=target, seq=order.get(code, 99))
            for code, (weight, target) in cleaned.items() if weight > 0])
        scheme.version += 1
        scheme.updated_by = actor.name
        scheme.save()
        after = {code: [w, str(t)] for code, (w, t) in cleaned.items() if w > 0}
        audit.record(actor=actor, action="supervision.scheme.update", obj=scheme,
                     changes={"indicators": [before, after], "version": [scheme.version - 1, scheme.version]})
    return scheme


def scheme_publish(*, actor: Actor, scheme: EvaluationScheme, today: date | None = None) -> EvaluationScheme:
    """Compute the ranking now, freeze it as the year's results and lock the scheme."""
    from . import selectors

    _office(actor, "评价结果由联席会议办公室发布。")
    with transaction.atomic():
        scheme = EvaluationScheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme.is_published:
            raise Conflict("该年度评价结果已发布。")
        rows = selectors.compute_rows(scheme, today=today)
        EvaluationResult.objects.bulk_create([
            EvaluationResult(scheme=scheme, region_id=row.region_id, rank=row.rank, score=row.score,
                             breakdown=row.breakdown) for row in rows])
        scheme.status, scheme.published_by, scheme.published_at = SchemeStatus.PUBLISHED, actor.name, timezone.now()
        scheme.save()
        audit.record(actor=actor, action="supervision.scheme.publish", obj=scheme,
                     changes={"status": [SchemeStatus.DRAFT, SchemeStatus.PUBLISHED],
                              "ranking": [None, [[row.county, str(row.score)] for row in rows]]})
    return scheme
