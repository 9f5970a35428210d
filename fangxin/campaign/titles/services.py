"""Every write of the demonstration-title workflow. Each public function is one transaction: it checks the
actor and the transition (flows.py), changes state, writes the timeline entry and the audit record, and queues
notifications for after the commit."""

import itertools
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.core import audit
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from fangxin.core.workdays import WorkCalendar
from fangxin.organisation.models import Region

from ..choices import EnrollmentStatus
from ..models import Enrollment
from .choices import (
    DEFAULT_PASS_MARK,
    ApplicationStatus,
    CaseStatus,
    CycleStatus,
    Decision,
    DesignationKind,
    ItemKind,
    ObjectionStatus,
    ReviewerRole,
    StandardStatus,
    TitleLevel,
    TitleStatus,
    TriggerKind,
    previous_level,
)
from .flows import APPLICATION_FLOW
from .models import (
    Announcement,
    Application,
    ApplicationEvent,
    ApplicationEvidence,
    ConflictDeclaration,
    Cycle,
    Designation,
    ManagementCase,
    Objection,
    OutgoingCreditEvent,
    Publicity,
    Review,
    Standard,
    StandardItem,
    Title,
)

OFFICE = {Role.JOINT_OFFICE, SYSTEM_ROLE}
PUBLISHERS = {Role.JOINT_OFFICE, Role.CONSUMER_ASSOCIATION, Role.DEPARTMENT_STAFF, SYSTEM_ROLE}
REVIEWER_ROLE_OF = {Role.DEPARTMENT_STAFF: ReviewerRole.LEAD_DEPARTMENT,
                    Role.CONSUMER_ASSOCIATION: ReviewerRole.ASSOCIATION}


def _today() -> date:
    return timezone.localdate()


def _require(actor: Actor, roles, message: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(message)


def _text(value: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"请填写{label}。")
    if len(value) > limit:
        raise ValidationFailed(f"{label}最多 {limit} 个字。")
    return value


def _decimal(value, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{label}请填写数字。") from None
    if not number.is_finite():
        raise ValidationFailed(f"{label}请填写数字。")
    return number


# --- standards -------------------------------------------------------------------------------------------------

@dataclass
class ItemInput:
    dimension_id: int
    text: str
    points: object = 0
    kind: str = ItemKind.SCORED
    guidance: str = ""
    evidence: str = ""


def _may_own(actor: Actor, sector) -> None:
    """A standard belongs to the sector's lead department (the joint-meeting office may act for it)."""
    if actor.role in OFFICE:
        return
    department_id = getattr(actor.user, "department_id", None)
    if actor.role != Role.DEPARTMENT_STAFF or not sector.lead_departments.filter(pk=department_id).exists():
        raise PermissionDenied("评价标准由该行业的牵头部门制定。")


def standard_draft(*, actor: Actor, sector, level: str, items: list[ItemInput] | None = None,
                   pass_mark=None, title: str = "", note: str = "") -> Standard:
    """A new draft: a copy of the published version (or of `items`), to edit and then publish."""
    _may_own(actor, sector)
    if level not in TitleLevel.values:
        raise ValidationFailed("请选择级别。")
    with transaction.atomic():
        if Standard.objects.filter(sector=sector, level=level, status=StandardStatus.DRAFT).exists():
            raise Conflict("该行业、该级别已有一份草稿，请先发布或修改它。")
        current = Standard.objects.filter(sector=sector, level=level, status=StandardStatus.PUBLISHED).first()
        last = Standard.objects.filter(sector=sector, level=level).order_by("-version").first()
        draft = Standard.objects.create(
            sector=sector, level=level, version=(last.version + 1) if last else 1,
            title=title.strip() or (current.title if current else f"{sector.name}放心消费示范单位评价标准（{TitleLevel(level).label}）"),
            pass_mark=_decimal(pass_mark, "合格分") if pass_mark not in (None, "") else (
                current.pass_mark if current else Decimal(DEFAULT_PASS_MARK[level])),
            owner=sector.lead_departments.order_by("id").first(), note=note.strip()[:300])
        if items is not None:
            _write_items(draft, items)
        elif current is not None:
            StandardItem.objects.bulk_create([
                StandardItem(standard=draft, dimension_id=i.dimension_id, seq=i.seq, kind=i.kind, text=i.text,
                             points=i.points, guidance=i.guidance, evidence=i.evidence)
                for i in current.items.all()])
        audit.record(actor=actor, action="campaign.standard.draft", obj=draft,
                     changes={"version": [None, draft.version], "from": [None, current.version if current else None]})
    return draft


def _write_items(standard: Standard, items: list[ItemInput]) -> None:
    rows = []
    for seq, item in enumerate(items, start=1):
        if item.kind not in ItemKind.values:
            raise ValidationFailed(f"第 {seq} 项的类别无效。")
        points = _decimal(item.points or 0, f"第 {seq} 项的分值")
        if points < 0 or (item.kind == ItemKind.VETO and points != 0):
            raise ValidationFailed(f"第 {seq} 项的分值无效（否决项不计分）。")
        rows.append(StandardItem(standard=standard, dimension_id=item.dimension_id, seq=seq, kind=item.kind,
                                 text=_text(item.text, f"第 {seq} 项的评价内容", 300), points=points,
                                 guidance=(item.guidance or "").strip()[:300], evidence=(item.evidence or "").strip()[:300]))
    StandardItem.objects.filter(standard=standard).delete()
    StandardItem.objects.bulk_create(rows)


def standard_update_draft(*, actor: Actor, standard: Standard, items: list[ItemInput], pass_mark, title: str,
                          note: str = "") -> Standard:
    _may_own(actor, standard.sector)
    with transaction.atomic():
        standard = Standard.objects.select_for_update().get(pk=standard.pk)
        if standard.status != StandardStatus.DRAFT:
            raise Conflict("已发布的标准不能修改；请新建草稿。")
        standard.title = _text(title, "标准名称", 120)
        standard.pass_mark = _decimal(pass_mark, "合格分")
        standard.note = note.strip()[:300]
        standard.save()
        _write_items(standard, items)
        audit.record(actor=actor, action="campaign.standard.update", obj=standard,
                     changes={"items": [None, len(items)], "pass_mark": [None, str(standard.pass_mark)]})
    return standard


def standard_publish(*, actor: Actor, standard: Standard) -> Standard:
    _may_own(actor, standard.sector)
    with transaction.atomic():
        standard = Standard.objects.select_for_update().get(pk=standard.pk)
        if standard.status != StandardStatus.DRAFT:
            raise Conflict("只有草稿可以发布。")
        items = list(standard.items.all())
        scored = sum((i.points for i in items if i.kind == ItemKind.SCORED), Decimal("0"))
        if not items or scored <= 0:
            raise ValidationFailed("标准至少要有一个评分项。")
        if standard.pass_mark <= 0 or standard.pass_mark > scored:
            raise ValidationFailed(f"合格分应大于 0 且不超过评分项总分 {scored}。")
        previous = Standard.objects.filter(sector=standard.sector, level=standard.level,
                                           status=StandardStatus.PUBLISHED).first()
        if previous:
            previous.status = StandardStatus.RETIRED
            previous.save(update_fields=["status", "updated_at"])
        standard.status, standard.published_at = StandardStatus.PUBLISHED, timezone.now()
        standard.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(actor=actor, action="campaign.standard.publish", obj=standard,
                     changes={"status": [StandardStatus.DRAFT, StandardStatus.PUBLISHED],
                              "retired": [None, previous.version if previous else None]})
    return standard


# --- the annual cycle ------------------------------------------------------------------------------------------

def cycle_open(*, actor: Actor, year: int, applications_open: date, applications_close: date,
               county_review_by: date, city_review_by: date, region_review_by: date,
               publicity_workdays: int = 5, quotas: dict | None = None, require_title_below: bool = True,
               sector_coverage_threshold=None, county_coverage_threshold=None, complaint_window_days=None,
               complaint_limit=None) -> Cycle:
    _require(actor, OFFICE, "只有联席会议办公室可以开启创建年度。")
    limits = {}  # the optional thresholds and dynamic-management limits; the model's defaults otherwise
    for field, value, label in (("sector_coverage_threshold", sector_coverage_threshold, "示范行业覆盖率门槛"),
                                ("county_coverage_threshold", county_coverage_threshold, "示范旗县区覆盖率门槛")):
        if value not in (None, ""):
            share = _decimal(value, label)
            if not Decimal("0") < share <= Decimal("1"):
                raise ValidationFailed(f"{label}应大于 0 且不超过 100%。")
            limits[field] = share.quantize(Decimal("0.001"))
    if complaint_window_days not in (None, ""):
        if not 1 <= int(complaint_window_days) <= 3650:
            raise ValidationFailed("投诉滚动窗口应为 1 到 3650 天。")
        limits["complaint_window_days"] = int(complaint_window_days)
    if complaint_limit not in (None, ""):
        if not 0 <= int(complaint_limit) <= 10000:
            raise ValidationFailed("投诉上限应为 0 到 10000 件。")
        limits["complaint_limit"] = int(complaint_limit)
    dates = [applications_open, applications_close, county_review_by, city_review_by, region_review_by]
    if any(later < earlier for earlier, later in itertools.pairwise(dates)):
        raise ValidationFailed("日期应依次为：申报开始 ≤ 申报截止 ≤ 旗县区级评审截止 ≤ 盟市级评审截止 ≤ 自治区级评审截止。")
    if not 1 <= int(publicity_workdays) <= 30:
        raise ValidationFailed("公示期应为 1 到 30 个工作日。")
    quotas = quotas or {}
    for key, value in quotas.items():
        if not isinstance(value, int) or value < 0 or ":" not in str(key):
            raise ValidationFailed(f"名额设置“{key}”无效。")
    try:
        with transaction.atomic():
            if Cycle.objects.filter(status=CycleStatus.OPEN).exists():
                raise Conflict("还有未结束的创建年度，请先结束它。")
            cycle = Cycle.objects.create(
                year=year, applications_open=applications_open, applications_close=applications_close,
                county_review_by=county_review_by, city_review_by=city_review_by, region_review_by=region_review_by,
                publicity_workdays=publicity_workdays, quotas=quotas, require_title_below=require_title_below,
                **limits)
            audit.record(actor=actor, action="campaign.cycle.open", obj=cycle,
                         changes={"year": [None, year], "status": [None, CycleStatus.OPEN]})
    except IntegrityError:
        raise Conflict(f"{year} 年度已经存在。") from None
    return cycle


def cycle_close(*, actor: Actor, cycle: Cycle) -> Cycle:
    _require(actor, OFFICE, "只有联席会议办公室可以结束创建年度。")
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status != CycleStatus.OPEN:
            raise Conflict("该年度已经结束。")
        pending = cycle.applications.filter(status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.REVIEWING,
                                                        ApplicationStatus.PASSED, ApplicationStatus.PUBLICITY))
        if pending.exists():
            raise Conflict(f"还有 {pending.count()} 份申报未办结（评审或公示中），不能结束年度。")
        cycle.status, cycle.closed_at = CycleStatus.CLOSED, timezone.now()
        cycle.save(update_fields=["status", "closed_at", "updated_at"])
        audit.record(actor=actor, action="campaign.cycle.close", obj=cycle,
                     changes={"status": [CycleStatus.OPEN, CycleStatus.CLOSED]})
    return cycle


def open_cycle() -> Cycle | None:
    return Cycle.objects.filter(status=CycleStatus.OPEN).first()


# --- applications ----------------------------------------------------------------------------------------------

def _event(application: Application, *, actor: Actor, action: str, label: str, from_status: str = "",
           to_status: str = "", note: str = "") -> None:
    ApplicationEvent.objects.create(application=application, at=timezone.now(), action=action, label=label,
                                    from_status=from_status, to_status=to_status, actor_name=actor.name,
                                    note=note)


def _move(application: Application, to_status: str, *, actor: Actor, action: str, label: str, note: str = "",
          changes: dict | None = None) -> None:
    before = application.status
    APPLICATION_FLOW.check(before, to_status)
    application.status = to_status
    application.save()
    _event(application, actor=actor, action=action, label=label, from_status=before, to_status=to_status, note=note)
    audit.record(actor=actor, action=f"campaign.application.{action}", obj=application,
                 changes={"status": [before, to_status], **(changes or {})})


def region_for_level(entity, level: str) -> Region:
    """The region whose bureau reviews, publishes and awards a title of this level for this business."""
    wanted = {TitleLevel.COUNTY: "county", TitleLevel.CITY: "city", TitleLevel.REGION: "region"}[level]
    region = entity.region
    while region is not None and region.level != wanted:
        region = region.parent
    if region is None:
        raise ValidationFailed("无法确定该级别的评审地区。")
    return region


def veto_reasons(entity) -> list[str]:
    """Why the business cannot hold or seek a title now (一票否决)."""
    from fangxin.credit.rules import application_refusals

    return list(application_refusals(entity))


def _scores(standard: Standard, raw: dict, *, label: str) -> tuple[dict, Decimal, list[int]]:
    """Validated {seq: points} for scored and bonus items, the total and the veto items marked."""
    clean, total, vetoes = {}, Decimal("0"), []
    for item in standard.items.all():
        key = str(item.seq)
        if item.kind == ItemKind.VETO:
            if str(raw.get(key, "")).strip() in ("1", "true", "True", "veto", "on"):
                vetoes.append(item.seq)
            continue
        value = raw.get(key, raw.get(item.seq))
        if value in (None, ""):
            if item.kind == ItemKind.BONUS:
                continue
            raise ValidationFailed(f"{label}：请为第 {item.seq} 项“{item.text[:20]}”打分。")
        score = _decimal(value, f"第 {item.seq} 项的得分")
        if score < 0 or score > item.points:
            raise ValidationFailed(f"{label}：第 {item.seq} 项得分 {score} 超出范围（0–{item.points} 分）。")
        clean[key] = str(score)
        total += score
    return clean, total, vetoes


def application_submit(*, actor: Actor, entity, level: str, self_scores: dict, statement: str = "",
                       files=(), recommended_by: Application | None = None) -> Application:
    """A unit applies for a title at one level: in the window, enrolled, no veto, the level below earned."""
    from fangxin.complaints import evidence as evidence_files

    _require(actor, {Role.MERCHANT, Role.COUNTY_STAFF, SYSTEM_ROLE}, "只有创建单位本人或旗县区工作人员可以申报。")
    _may_act_for(actor, entity)
    if level not in TitleLevel.values:
        raise ValidationFailed("请选择申报级别。")
    cycle = open_cycle()
    today = _today()
    if cycle is None or not (cycle.applications_open <= today <= cycle.review_by(level)):
        raise ValidationFailed("现在不在申报期内。")
    if level == TitleLevel.COUNTY and today > cycle.applications_close:
        raise ValidationFailed(f"旗县区级申报已于 {cycle.applications_close.isoformat()} 截止。")
    enrollment = Enrollment.objects.current().filter(entity=entity, status=EnrollmentStatus.ACTIVE).first()
    if enrollment is None:
        raise ValidationFailed("只有有效的放心消费创建单位可以申报示范单位。")
    vetoes = veto_reasons(entity)
    if vetoes:
        raise ValidationFailed("存在一票否决情形：" + "；".join(vetoes))
    _check_level_earned(entity, level, cycle, recommended_by)
    standard = Standard.objects.filter(sector=entity.sector, level=level, status=StandardStatus.PUBLISHED).first()
    if standard is None:
        raise ValidationFailed("该行业、该级别的评价标准尚未发布，暂不能申报。")
    region = region_for_level(entity, level)
    scores, total, _ = _scores(standard, self_scores or {}, label="自评")
    checked = evidence_files.check(files)
    quota = (cycle.quotas or {}).get(f"{level}:{region.code}")
    sector_quota = (cycle.quotas or {}).get(f"{level}:{entity.sector.code}")
    try:
        with transaction.atomic():
            if Application.objects.filter(cycle=cycle, entity=entity, level=level).exists():
                raise Conflict("本年度已经申报过该级别，不能重复申报。")
            if quota is not None:
                taken = Application.objects.filter(cycle=cycle, level=level, region=region).exclude(
                    status__in=(ApplicationStatus.WITHDRAWN, ApplicationStatus.FAILED, ApplicationStatus.REMOVED)).count()
                if taken >= quota:
                    raise ValidationFailed(f"{region.name}本年度{TitleLevel(level).label}名额（{quota} 个）已满。")
            if sector_quota is not None:
                taken = Application.objects.filter(cycle=cycle, level=level, region=region,
                                                   entity__sector=entity.sector).exclude(
                    status__in=(ApplicationStatus.WITHDRAWN, ApplicationStatus.FAILED, ApplicationStatus.REMOVED)).count()
                if taken >= sector_quota:
                    raise ValidationFailed(f"{region.name}{entity.sector.name}行业本年度{TitleLevel(level).label}名额"
                                           f"（{sector_quota} 个）已满。")
            application = Application.objects.create(
                cycle=cycle, entity=entity, enrollment=enrollment, level=level, region=region, standard=standard,
                self_scores=scores, self_total=total, statement=(statement or "").strip()[:3000],
                recommended_by=recommended_by, submitted_by=actor.name)
            for item in checked:
                stored = ApplicationEvidence(application=application, original_name=item.name,
                                             content_type=item.content_type, size=item.size, sha256=item.sha256)
                stored.file.save(f"{application.pk}-{item.sha256[:12]}.{item.name.rsplit('.', 1)[-1].lower()}",
                                 item.upload, save=True)
            _event(application, actor=actor, action="submit", label="提交申报", to_status=application.status,
                   note=f"自评 {total} 分，材料 {len(checked)} 份")
            audit.record(actor=actor, action="campaign.application.submit", obj=application, changes={
                "status": [None, application.status], "level": [None, level], "self_total": [None, str(total)]})
    except IntegrityError:
        raise Conflict("本年度已经申报过该级别，不能重复申报。") from None
    return application


def _may_act_for(actor: Actor, entity) -> None:
    """A merchant acts for the businesses bound to their account, county staff for businesses in their county."""
    from fangxin.merchants.models import MarketEntity

    if actor.role != SYSTEM_ROLE and not MarketEntity.objects.visible_to(actor.user).filter(pk=entity.pk).exists():
        raise PermissionDenied("您只能为本人经营的单位或本辖区的单位办理申报。")


def _check_level_earned(entity, level: str, cycle: Cycle, recommended_by: Application | None) -> None:
    below = previous_level(level)
    if below is None:
        return
    holds = Title.objects.filter(entity=entity, level=below, status=TitleStatus.VALID,
                                 valid_until__gte=_today()).exists()
    if holds:
        return
    recommended = (recommended_by is not None and recommended_by.entity_id == entity.pk
                   and recommended_by.level == below and recommended_by.cycle_id == cycle.pk
                   and recommended_by.status in (ApplicationStatus.PASSED, ApplicationStatus.PUBLICITY,
                                                 ApplicationStatus.AWARDED))
    if cycle.require_title_below or not recommended:
        raise ValidationFailed(f"申报{TitleLevel(level).label}前须先获得{TitleLevel(below).label}放心消费示范单位称号。")


def application_withdraw(*, actor: Actor, application: Application, reason: str = "") -> Application:
    _require(actor, {Role.MERCHANT, Role.COUNTY_STAFF, SYSTEM_ROLE}, "只有申报单位或旗县区工作人员可以撤回申报。")
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        _may_act_for(actor, application.entity)
        _move(application, ApplicationStatus.WITHDRAWN, actor=actor, action="withdraw", label="撤回申报",
              note=(reason or "").strip()[:300])
    return application


# --- review ----------------------------------------------------------------------------------------------------

def reviewer_role(user, application: Application) -> str:
    """Which sign-off this user may give on this application, or raise why not."""
    role = REVIEWER_ROLE_OF.get(getattr(user, "role", None))
    if role is None:
        raise PermissionDenied("只有行业牵头部门和消费者协会可以评审。")
    region = getattr(user, "region", None)
    if region is None or not application.region.path.startswith(region.path):
        raise PermissionDenied("该申报不在您的评审范围内。")
    if role == ReviewerRole.LEAD_DEPARTMENT and not application.entity.sector.lead_departments.filter(
            pk=user.department_id).exists():
        raise PermissionDenied("只有该行业的牵头部门可以评审。")
    if ConflictDeclaration.objects.filter(reviewer=user, entity=application.entity).exists():
        raise PermissionDenied("您已声明与该单位存在利益冲突，不能评审其申报。")
    return role


def review_sign(*, actor: Actor, application: Application, scores: dict, decision: str, opinion: str,
                comments: dict | None = None) -> Application:
    """One sign-off. When both are in, the level's result: passed when both approve, the agreed score (the mean
    of the two totals) reaches the standard's pass mark and no veto item was marked."""
    if decision not in Decision.values:
        raise ValidationFailed("请选择评审结论。")
    opinion = _text(opinion, "评审意见", 2000)
    with transaction.atomic():
        # the row lock makes two concurrent sign-offs queue: the second sees the first and the result is decided once
        application = (Application.objects.select_for_update(of=("self",))
                       .select_related("standard", "entity__sector", "region").get(pk=application.pk))
        role = reviewer_role(actor.user, application)
        if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.REVIEWING):
            APPLICATION_FLOW.check(application.status, ApplicationStatus.REVIEWING)
        if application.reviews.filter(role=role).exists():
            raise Conflict(f"{ReviewerRole(role).label}已经签署过该申报的评审意见。")
        clean, total, vetoes = _scores(application.standard, scores or {}, label="评分")
        Review.objects.create(application=application, role=role, reviewer=actor.user, scores=clean,
                              comments={str(k): str(v)[:300] for k, v in (comments or {}).items() if str(v).strip()},
                              vetoes=vetoes, total=total, decision=decision, opinion=opinion, signed_at=timezone.now())
        note = f"{ReviewerRole(role).label}：{Decision(decision).label}，{total} 分" + (
            f"，触发否决项 {vetoes}" if vetoes else "")
        if application.status == ApplicationStatus.SUBMITTED:
            _move(application, ApplicationStatus.REVIEWING, actor=actor, action="review", label="评审签署", note=note)
        else:
            _event(application, actor=actor, action="review", label="评审签署", note=note)
            audit.record(actor=actor, action="campaign.application.review", obj=application,
                         changes={"role": [None, role], "total": [None, str(total)], "decision": [None, decision]})
        reviews = list(application.reviews.all())
        if len(reviews) == len(ReviewerRole.values):
            _conclude(application, reviews, actor)
    return application


def _conclude(application: Application, reviews: list[Review], actor: Actor) -> None:
    # rounded down, so that a mean just below the pass mark (80 and 79.9 → 79.95) never shows or passes as 80.0
    agreed = (sum((r.total for r in reviews), Decimal("0")) / len(reviews)).quantize(Decimal("0.1"), ROUND_DOWN)
    vetoed = any(r.vetoes for r in reviews) or bool(veto_reasons(application.entity))
    approved = all(r.decision == Decision.APPROVE for r in reviews)
    passed = approved and not vetoed and agreed >= application.standard.pass_mark
    application.agreed_score, application.decided_on = agreed, _today()
    reasons = []
    if not approved:
        reasons.append("评审方不同意")
    if vetoed:
        reasons.append("触发一票否决")
    if agreed < application.standard.pass_mark:
        reasons.append(f"评审得分 {agreed} 低于合格分 {application.standard.pass_mark}")
    to_status = ApplicationStatus.PASSED if passed else ApplicationStatus.FAILED
    _move(application, to_status, actor=actor, action="conclude", label="评审通过" if passed else "评审未通过",
          note=f"评审得分 {agreed} 分" + ("" if passed else "：" + "；".join(reasons)),
          changes={"agreed_score": [None, str(agreed)]})


def conflict_declare(*, actor: Actor, entity, reason: str) -> ConflictDeclaration:
    _require(actor, set(REVIEWER_ROLE_OF), "只有评审人员需要声明利益冲突。")
    reason = _text(reason, "关系说明", 200)
    with transaction.atomic():
        declaration, created = ConflictDeclaration.objects.get_or_create(
            reviewer=actor.user, entity=entity, defaults={"reason": reason})
        if created:
            audit.record(actor=actor, action="campaign.conflict.declare", obj=declaration,
                         changes={"entity": [None, entity.uscc], "reason": [None, reason]})
    return declaration


# --- publicity, objections, award ------------------------------------------------------------------------------

def publicity_open(*, actor: Actor, cycle: Cycle, level: str, region: Region, starts_on: date | None = None
                   ) -> Publicity:
    """Publish the level's passed candidates in a region for the cycle's publicity working days."""
    _require(actor, {Role.JOINT_OFFICE, Role.CONSUMER_ASSOCIATION, SYSTEM_ROLE},
             "候选名单由消费者协会和联席会议办公室发布。")
    user_region = getattr(actor.user, "region", None)
    if actor.role != SYSTEM_ROLE and (user_region is None or not region.path.startswith(user_region.path)):
        raise PermissionDenied("该地区不在您的管辖范围内。")
    starts_on = starts_on or _today()
    if starts_on < _today():
        raise ValidationFailed("公示开始日期不能早于今天。")
    with transaction.atomic():
        candidates = list(Application.objects.select_for_update().filter(
            cycle=cycle, level=level, region=region, status=ApplicationStatus.PASSED))
        if not candidates:
            raise ValidationFailed("没有评审通过、待公示的候选单位。")
        ends_on = WorkCalendar.load().add_workdays(starts_on - timedelta(days=1), cycle.publicity_workdays).due
        publicity = Publicity.objects.create(cycle=cycle, level=level, region=region, starts_on=starts_on,
                                             ends_on=ends_on, published_by=actor.name)
        for application in candidates:
            application.publicity = publicity
            _move(application, ApplicationStatus.PUBLICITY, actor=actor, action="publicity", label="进入公示",
                  note=f"公示期 {starts_on.isoformat()} 至 {ends_on.isoformat()}")
        audit.record(actor=actor, action="campaign.publicity.open", obj=publicity,
                     changes={"candidates": [None, len(candidates)], "ends_on": [None, ends_on.isoformat()]})
    return publicity


def objection_file(*, actor: Actor, application: Application, name: str, contact_phone: str, content: str,
                   evidence=None) -> Objection:
    """Anyone may object to a candidate during its publicity; the contact details stay private."""
    from fangxin.complaints import evidence as evidence_files
    from fangxin.complaints.validation import normalise_phone

    name = _text(name, "您的姓名", 60)
    phone = normalise_phone(contact_phone)
    content = _text(content, "异议内容", 3000)
    checked = evidence_files.check([evidence] if evidence else [])
    with transaction.atomic():
        application = Application.objects.select_for_update(of=("self",)).select_related("publicity").get(
            pk=application.pk)
        publicity = application.publicity
        today = _today()
        if application.status != ApplicationStatus.PUBLICITY or not publicity or not (
                publicity.starts_on <= today <= publicity.ends_on):
            raise ValidationFailed("该单位不在公示期内，不能提出异议。")
        objection = Objection(application=application, name=name, contact_phone=phone, content=content,
                              reference_no="YY" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
                                                          for _ in range(8)))
        if checked:
            objection.evidence.save(f"{checked[0].sha256[:16]}.{checked[0].name.rsplit('.', 1)[-1].lower()}",
                                    checked[0].upload, save=False)
        objection.save()
        _event(application, actor=actor, action="objection", label="收到公示异议", note=f"异议编号 {objection.reference_no}")
        audit.record(actor=actor, action="campaign.objection.file", obj=objection,
                     changes={"application": [None, application.pk]})
    return objection


def objection_answer(*, actor: Actor, objection: Objection, upheld: bool, answer: str) -> Objection:
    """Record the answer; an upheld objection removes the candidate from the list."""
    _require(actor, {Role.JOINT_OFFICE, Role.CONSUMER_ASSOCIATION, Role.DEPARTMENT_STAFF, SYSTEM_ROLE},
             "只有发布公示的单位可以答复异议。")
    answer = _text(answer, "答复内容", 2000)
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.PENDING:
            raise Conflict("该异议已经答复。")
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.answer, objection.answered_by, objection.answered_at = answer, actor.name, timezone.now()
        objection.save()
        application = Application.objects.select_for_update().get(pk=objection.application_id)
        if upheld and application.status == ApplicationStatus.PUBLICITY:
            _move(application, ApplicationStatus.REMOVED, actor=actor, action="remove", label="异议成立，取消候选资格",
                  note=answer)
        else:
            _event(application, actor=actor, action="objection_answer", label="答复公示异议",
                   note=f"{objection.reference_no}：{objection.get_status_display()}")
        audit.record(actor=actor, action="campaign.objection.answer", obj=objection,
                     changes={"status": [ObjectionStatus.PENDING, objection.status]})
    return objection


def _certificate_no(level: str, year: int, region: Region) -> str:
    prefix = {TitleLevel.COUNTY: "X", TitleLevel.CITY: "S", TitleLevel.REGION: "Z"}[level]
    count = Title.objects.filter(level=level, year=year, region=region).count() + 1
    return f"FXSF{year}{prefix}{region.code}{count:04d}"


def publicity_award(*, actor: Actor, publicity: Publicity) -> list[Title]:
    """授牌: once the period has ended and every objection is answered, every remaining candidate gets the title."""
    _require(actor, {Role.JOINT_OFFICE, Role.CONSUMER_ASSOCIATION, SYSTEM_ROLE}, "授牌由消费者协会和联席会议办公室办理。")
    with transaction.atomic():
        publicity = Publicity.objects.select_for_update().select_related("cycle", "region").get(pk=publicity.pk)
        if publicity.closed_at is not None:
            raise Conflict("该公示已经授牌。")
        if _today() <= publicity.ends_on:
            raise ValidationFailed(f"公示期至 {publicity.ends_on.isoformat()}，期满后才能授牌。")
        pending = Objection.objects.filter(application__publicity=publicity, status=ObjectionStatus.PENDING).count()
        if pending:
            raise ValidationFailed(f"还有 {pending} 件异议未答复，答复后才能授牌。")
        titles = []
        year = publicity.cycle.year
        for application in Application.objects.select_for_update().filter(publicity=publicity,
                                                                            status=ApplicationStatus.PUBLICITY):
            _move(application, ApplicationStatus.AWARDED, actor=actor, action="award", label="授牌")
            title = Title.objects.create(
                entity_id=application.entity_id, application=application, level=application.level, year=year,
                region=publicity.region, name=f"{year}年度{publicity.region.name}放心消费示范单位",
                certificate_no=_certificate_no(application.level, year, publicity.region), awarded_on=_today(),
                valid_until=date(year + 1, 12, 31))
            audit.record(actor=actor, action="campaign.title.award", obj=title,
                         changes={"certificate_no": [None, title.certificate_no], "level": [None, title.level]})
            _title_ledger(actor, title, "award", f"获得{title.name}称号（证书编号 {title.certificate_no}）")
            titles.append(title)
        publicity.closed_at = timezone.now()
        publicity.save(update_fields=["closed_at", "updated_at"])
        audit.record(actor=actor, action="campaign.publicity.award", obj=publicity,
                     changes={"titles": [None, len(titles)]})
    return titles


# --- dynamic management ----------------------------------------------------------------------------------------

def case_open(*, actor: Actor, entity, trigger: str, source_ref: str, detail: str) -> ManagementCase | None:
    """Open a review of the business's title or enrollment (idempotent per source). None when there is
    nothing to review (no current enrollment and no valid title)."""
    if trigger not in TriggerKind.values:
        raise ValidationFailed("未知的触发事由。")
    has_something = Title.objects.filter(entity=entity, status=TitleStatus.VALID).exists() or \
        Enrollment.objects.current().filter(entity=entity).exists()
    if not has_something:
        return None
    with transaction.atomic():
        case, created = ManagementCase.objects.get_or_create(
            source_ref=source_ref[:80], defaults={"entity": entity, "trigger": trigger, "detail": detail[:300]})
        if created:
            audit.record(actor=actor, action="campaign.case.open", obj=case,
                         changes={"trigger": [None, trigger], "source": [None, source_ref]})
    return case


def case_decide(*, actor: Actor, case: ManagementCase, revoke: bool, reason: str) -> ManagementCase:
    """Revoke every valid title and the enrollment (published, badge shows revoked at once, credit event
    recorded), or keep them with the reason."""
    from ..services import enrollment_transition

    _require(actor, {Role.JOINT_OFFICE, Role.CONSUMER_ASSOCIATION, SYSTEM_ROLE},
             "动态管理由联席会议办公室和消费者协会处理。")
    reason = _text(reason, "处理意见", 300)
    with transaction.atomic():
        case = ManagementCase.objects.select_for_update().select_related("entity").get(pk=case.pk)
        if case.status != CaseStatus.OPEN:
            raise Conflict("该动态管理事项已经处理。")
        case.status = CaseStatus.REVOKED if revoke else CaseStatus.KEPT
        case.decision_reason, case.decided_by, case.decided_at = reason, actor.name, timezone.now()
        case.save()
        if revoke:
            for title in Title.objects.select_for_update().filter(entity=case.entity, status=TitleStatus.VALID):
                title_revoke(actor=actor, title=title, reason=reason)
            enrollment = Enrollment.objects.current().filter(entity=case.entity).first()
            if enrollment is not None:
                enrollment_transition(actor=actor, enrollment=enrollment, to_status=EnrollmentStatus.REVOKED,
                                      reason=reason)
                _announce(case.entity, f"关于撤销{case.entity.name}放心消费创建单位资格的公告",
                          f"{case.entity.name}（统一社会信用代码 {case.entity.uscc}）因{reason}，"
                          "撤销其放心消费创建单位资格，收回创建标志。恢复资格须重新申请。")
                _credit_event(case.entity, "创建单位资格撤销", reason)
        audit.record(actor=actor, action="campaign.case.decide", obj=case,
                     changes={"status": [CaseStatus.OPEN, case.status], "reason": [None, reason]})
    return case


def title_revoke(*, actor: Actor, title: Title, reason: str) -> Title:
    _require(actor, {Role.JOINT_OFFICE, Role.CONSUMER_ASSOCIATION, SYSTEM_ROLE}, "只有联席会议办公室和消费者协会可以撤销称号。")
    reason = _text(reason, "撤销原因", 300)
    with transaction.atomic():
        title = Title.objects.select_for_update().select_related("entity").get(pk=title.pk)
        if title.status != TitleStatus.VALID:
            raise Conflict("该称号已不在有效期内或已撤销。")
        title.status, title.revoked_on, title.revoked_reason = TitleStatus.REVOKED, _today(), reason
        title.save()
        application = Application.objects.select_for_update().get(pk=title.application_id)
        _move(application, ApplicationStatus.REVOKED, actor=actor, action="revoke", label="撤销称号", note=reason)
        _announce(title.entity, f"关于撤销{title.entity.name}“{title.name}”称号的公告",
                  f"{title.entity.name}（统一社会信用代码 {title.entity.uscc}）因{reason}，撤销其“{title.name}”"
                  f"称号（证书编号 {title.certificate_no}），收回牌匾和证书。恢复称号须重新申报。")
        _credit_event(title.entity, "示范单位称号撤销", f"{title.name}：{reason}", delivered=True)
        _title_ledger(actor, title, "revoke", f"撤销{title.name}称号：{reason}")
        audit.record(actor=actor, action="campaign.title.revoke", obj=title,
                     changes={"status": [TitleStatus.VALID, TitleStatus.REVOKED], "reason": [None, reason]})
    return title


def _announce(entity, title: str, body: str) -> Announcement:
    return Announcement.objects.create(entity=entity, title=title, body=body, published_on=_today())


def _credit_event(entity, kind: str, detail: str, delivered: bool = False) -> OutgoingCreditEvent:
    """The outgoing record of a revocation. A title's revocation is also in the credit ledger (_title_ledger), so its
    row is delivered at once; an enrollment's revocation has no ledger kind (what caused it — a list entry, upheld
    complaints — is in the ledger already) and stays queued for the provincial credit platform."""
    return OutgoingCreditEvent.objects.create(entity=entity, kind=kind, detail=detail[:300], occurred_on=_today(),
                                              delivered_at=timezone.now() if delivered else None)


def _title_ledger(actor: Actor, title: Title, step: str, detail: str) -> None:
    """Record the award or revocation in the business's credit ledger, in the caller's transaction (the grade is
    recomputed there too); idempotent by source_ref title:<pk>:award / :revoke."""
    from fangxin.credit.choices import EventKind
    from fangxin.credit.services import credit_event_record

    kind, on = ((EventKind.TITLE_AWARDED, title.awarded_on) if step == "award"
                else (EventKind.TITLE_REVOKED, title.revoked_on))
    credit_event_record(actor=actor, entity=title.entity, kind=kind, occurred_on=on, detail=detail[:300],
                        source_ref=f"title:{title.pk}:{step}", authority="放心消费创建工作联席会议办公室")


def scan_triggers(*, actor: Actor, today: date | None = None) -> list[ManagementCase]:
    """The periodic check (idempotent): credit-list entries and complaint surges open review cases."""
    from fangxin.complaints.models import Complaint
    from fangxin.credit.choices import RuleConditionKind
    from fangxin.credit.models import ListEntry
    from fangxin.credit.rules import review_rules_for
    from fangxin.merchants.models import MarketEntity

    today = today or _today()
    cycle = Cycle.objects.order_by("-year").first()
    window = cycle.complaint_window_days if cycle else 365
    limit = cycle.complaint_limit if cycle else 5
    opened = []
    titled_or_enrolled = Q(titles__status=TitleStatus.VALID) | Q(enrollments__status__in=(
        EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED))
    for entry in ListEntry.objects.current().select_related("entity"):
        names = review_rules_for(RuleConditionKind.LIST, entry.kind)  # the joint-punishment rules decide
        if not names:
            continue
        trigger = {"serious": TriggerKind.SERIOUS_LIST, "abnormal": TriggerKind.ABNORMAL_LIST}.get(
            entry.kind, TriggerKind.CREDIT_RULE)
        case = case_open(actor=actor, entity=entry.entity, trigger=trigger, source_ref=f"credit:{entry.pk}",
                         detail=f"依据联合惩戒规则“{names[0]}”：{entry.get_kind_display()}，{entry.reason}")
        if case:
            opened.append(case)
    since = today - timedelta(days=window)
    busy = (Complaint.objects.filter(entity__isnull=False, status="agreement", received_on__gt=since)
            .values("entity").annotate(n=Count("id"))
            .filter(n__gt=limit))
    for row in busy:
        entity = MarketEntity.objects.filter(titled_or_enrolled, pk=row["entity"]).distinct().first()
        if entity is None:
            continue
        case = case_open(actor=actor, entity=entity, trigger=TriggerKind.COMPLAINT_SURGE,
                         source_ref=f"complaints:{entity.pk}:{today.year}",
                         detail=f"近 {window} 天调解成功的投诉 {row['n']} 件，超过 {limit} 件")
        if case:
            opened.append(case)
    return opened


# --- demonstration sectors and counties ------------------------------------------------------------------------

def designate(*, actor: Actor, kind: str, year: int, region: Region, sector=None) -> Designation:
    from .selectors import coverage_of

    _require(actor, OFFICE, "示范行业和示范旗县区由联席会议办公室认定。")
    if kind not in DesignationKind.values or (kind == DesignationKind.SECTOR) != (sector is not None):
        raise ValidationFailed("请选择认定类别（示范行业须选择行业）。")
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise ValidationFailed(f"{year} 年度不存在。")
    coverage = coverage_of(region=region, sector=sector, year=year)
    threshold = cycle.sector_coverage_threshold if sector is not None else cycle.county_coverage_threshold
    if coverage is None or coverage < threshold:
        shown = "—" if coverage is None else f"{coverage:.1%}"
        raise ValidationFailed(f"覆盖率 {shown} 未达到认定门槛 {threshold:.0%}。")
    try:
        with transaction.atomic():
            designation = Designation.objects.create(kind=kind, year=year, region=region, sector=sector,
                                                     coverage=coverage, designated_by=actor.name)
            audit.record(actor=actor, action="campaign.designation.create", obj=designation,
                         changes={"kind": [None, kind], "coverage": [None, str(coverage)]})
    except IntegrityError:
        raise Conflict("已经认定过。") from None
    return designation

