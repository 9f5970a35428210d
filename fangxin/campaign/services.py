"""Enrollment (创建单位) and badge writes. Each is one transaction with its timeline entry and audit record."""

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.core import audit
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from fangxin.core.transitions import StateMachine
from fangxin.credit.selectors import enrollment_blockers
from fangxin.merchants.choices import OperatingStatus
from fangxin.organisation.models import Commitment, SpecificCommitment
from fangxin.organisation.selectors import current_commitment

from . import badge_keys, badges
from .choices import BadgeReportStatus, BadgeStatus, DisplayMethod, EnrollmentStatus
from .models import BadgeReport, Enrollment, EnrollmentEvent

ENROLLMENT_FLOW = StateMachine("enrollment", {
    EnrollmentStatus.ACTIVE: {EnrollmentStatus.SUSPENDED, EnrollmentStatus.REVOKED, EnrollmentStatus.WITHDRAWN},
    EnrollmentStatus.SUSPENDED: {EnrollmentStatus.ACTIVE, EnrollmentStatus.REVOKED, EnrollmentStatus.WITHDRAWN},
}, labels=EnrollmentStatus)

# Which status change each role may make (visibility of the enrollment is checked by the caller's selector).
TRANSITION_ROLES = {
    EnrollmentStatus.SUSPENDED: STAFF_ROLES | {SYSTEM_ROLE},
    EnrollmentStatus.ACTIVE: STAFF_ROLES | {SYSTEM_ROLE},
    EnrollmentStatus.REVOKED: STAFF_ROLES | {SYSTEM_ROLE},
    EnrollmentStatus.WITHDRAWN: STAFF_ROLES | {Role.MERCHANT, SYSTEM_ROLE},
}
ACTION_NAMES = {EnrollmentStatus.SUSPENDED: "暂停", EnrollmentStatus.ACTIVE: "恢复", EnrollmentStatus.REVOKED: "撤销",
                EnrollmentStatus.WITHDRAWN: "退出"}
SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ENROLLMENT_ROLES = STAFF_ROLES | {Role.MERCHANT, SYSTEM_ROLE}


def _new_serial(entity) -> str:
    return f"FX{entity.region.code}-" + "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(7))


def _event(enrollment, *, actor: Actor, action: str, from_status: str, to_status: str, reason: str = "") -> None:
    EnrollmentEvent.objects.create(enrollment=enrollment, at=timezone.now(), action=action, from_status=from_status,
                                   to_status=to_status, reason=reason, actor_name=actor.name)


def enrollment_create(*, actor: Actor, entity, commitment_version: int, specific_codes: list[str],
                      display_method: str, signed_name: str, agreed: bool) -> Enrollment:
    """Enroll a business that the actor may act for (its own merchant, or staff on its behalf)."""
    if actor.role not in ENROLLMENT_ROLES:
        raise PermissionDenied("只有经营者本人或工作人员可以办理创建登记。")
    commitment = current_commitment()
    problems = _enrollment_problems(entity, commitment, commitment_version, display_method, signed_name, agreed)
    if problems:
        raise ValidationFailed("；".join(problems))
    chosen = list(SpecificCommitment.objects.filter(code__in=specific_codes, is_active=True))
    if len(chosen) != len(set(specific_codes)):
        raise ValidationFailed("所选的可选承诺无效，请重新选择。")
    today = timezone.localdate()
    try:
        with transaction.atomic():
            if Enrollment.objects.current().filter(entity=entity).exists():
                raise Conflict("该经营者已经是放心消费创建单位，不能重复登记。")
            serial = _new_serial(entity)
            token, kid = badges.sign(badge_keys.load_keyring(), serial=serial, uscc=entity.uscc, issued_on=today,
                                     revision=1)
            enrollment = Enrollment.objects.create(
                entity=entity, serial=serial, commitment=commitment, display_method=display_method,
                signed_name=signed_name.strip(), signed_by=actor.user if actor.user_id else None,
                signed_at=timezone.now(), badge_kid=kid, badge_token=token, badge_issued_on=today)
            enrollment.specific_commitments.set(chosen)
            _event(enrollment, actor=actor, action="登记", from_status="", to_status=EnrollmentStatus.ACTIVE,
                   reason=f"签署统一承诺第 {commitment.version} 版")
            audit.record(actor=actor, action="campaign.enrollment.create", obj=enrollment, changes={
                "entity": [None, entity.uscc], "status": [None, EnrollmentStatus.ACTIVE],
                "commitment_version": [None, commitment.version],
                "specific_commitments": [None, sorted(c.code for c in chosen)],
                "display_method": [None, display_method], "signed_name": [None, enrollment.signed_name]})
    except IntegrityError:  # a concurrent enrollment of the same business won the race
        raise Conflict("该经营者已经是放心消费创建单位，不能重复登记。") from None
    return enrollment


def _enrollment_problems(entity, commitment: Commitment | None, version: int, display_method: str,
                         signed_name: str, agreed: bool) -> list[str]:
    problems = list(enrollment_blockers(entity))
    if entity.operating_status != OperatingStatus.OPERATING:
        problems.append(f"该市场主体的经营状态为“{entity.get_operating_status_display()}”，不能参加创建")
    if commitment is None:
        problems.append("统一承诺尚未发布，暂不能登记")
    elif version != commitment.version:
        problems.append("统一承诺已更新，请重新阅读最新版本后再签署")
    if display_method not in DisplayMethod.values:
        problems.append("请选择创建标志的展示方式")
    elif display_method != DisplayMethod.IN_STORE and not entity.online_shop_url:
        problems.append("该市场主体没有登记网店地址，不能选择在网店展示标志")
    if not signed_name.strip():
        problems.append("请填写签署人姓名")
    if not agreed:
        problems.append("请确认已阅读并同意统一承诺")
    return problems


def enrollment_transition(*, actor: Actor, enrollment: Enrollment, to_status: str, reason: str) -> Enrollment:
    if actor.role not in TRANSITION_ROLES.get(to_status, frozenset()):
        raise PermissionDenied(f"您不能{ACTION_NAMES.get(to_status, '变更')}创建资格。")
    if not reason.strip():
        raise ValidationFailed("请填写原因。")
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        ENROLLMENT_FLOW.check(enrollment.status, to_status)
        before = enrollment.status
        enrollment.status = to_status
        enrollment.save(update_fields=["status", "updated_at"])
        _event(enrollment, actor=actor, action=ACTION_NAMES[to_status], from_status=before, to_status=to_status,
               reason=reason.strip())
        audit.record(actor=actor, action=f"campaign.enrollment.{to_status}", obj=enrollment,
                     changes={"status": [before, to_status], "reason": [None, reason.strip()]})
    return enrollment


def badge_reissue(*, actor: Actor, enrollment: Enrollment, reason: str) -> Enrollment:
    """Sign a new badge (e.g. after a key rotation or a lost poster); the previous one shows as expired."""
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().select_related("entity").get(pk=enrollment.pk)
        if not enrollment.is_current:
            raise ValidationFailed("只有有效或暂停中的创建单位可以补发标志。")
        revision = enrollment.badge_revision + 1
        token, kid = badges.sign(badge_keys.load_keyring(), serial=enrollment.serial, uscc=enrollment.entity.uscc,
                                 issued_on=timezone.localdate(), revision=revision)
        enrollment.badge_revision, enrollment.badge_token, enrollment.badge_kid = revision, token, kid
        enrollment.badge_issued_on = timezone.localdate()
        enrollment.save(update_fields=["badge_revision", "badge_token", "badge_kid", "badge_issued_on", "updated_at"])
        _event(enrollment, actor=actor, action="补发标志", from_status=enrollment.status,
               to_status=enrollment.status, reason=reason.strip() or "补发")
        audit.record(actor=actor, action="campaign.badge.reissue", obj=enrollment,
                     changes={"badge_revision": [revision - 1, revision], "badge_kid": [None, kid]})
    return enrollment


@dataclass(frozen=True)
class BadgeCheck:
    verdict: str
    enrollment: Enrollment | None = None
    problem: str = ""

    @property
    def label(self) -> str:
        return BadgeStatus(self.verdict).label

    @property
    def genuine(self) -> bool:
        return self.verdict not in (BadgeStatus.COUNTERFEIT, BadgeStatus.UNKNOWN)


def badge_check(token: str) -> BadgeCheck:
    """What a scan of this token means now: the signature first, then the live status."""
    try:
        claims = badges.verify(token, badge_keys.load_keyring().public)
    except badges.BadToken as exc:
        return BadgeCheck(BadgeStatus.COUNTERFEIT, problem=str(exc))
    enrollment = (Enrollment.objects.select_related("entity", "entity__region", "entity__sector", "commitment")
                  .filter(serial=claims.serial, entity__uscc=claims.uscc).first())
    if enrollment is None:
        return BadgeCheck(BadgeStatus.UNKNOWN, problem="签名有效，但没有对应的创建单位记录")
    return BadgeCheck(_live_status(enrollment, claims.revision), enrollment)


def _live_status(enrollment: Enrollment, revision: int) -> str:
    if enrollment.status == EnrollmentStatus.REVOKED:
        return BadgeStatus.REVOKED
    if enrollment.status == EnrollmentStatus.WITHDRAWN or revision < enrollment.badge_revision:
        return BadgeStatus.EXPIRED
    if enrollment.entity.operating_status != OperatingStatus.OPERATING:
        return BadgeStatus.EXPIRED
    if enrollment.status == EnrollmentStatus.SUSPENDED:
        return BadgeStatus.SUSPENDED
    return BadgeStatus.VALID


def badge_report_create(*, actor: Actor, token: str, where_seen: str, description: str,
                        contact_phone: str = "") -> BadgeReport:
    if not where_seen.strip() or not description.strip():
        raise ValidationFailed("请填写发现地点（或网址）和情况说明。")
    check = badge_check(token)
    with transaction.atomic():
        report = BadgeReport.objects.create(token=token[:2000], verdict=check.verdict, enrollment=check.enrollment,
                                            where_seen=where_seen.strip()[:200],
                                            description=description.strip()[:1000],
                                            contact_phone=contact_phone.strip()[:20])
        audit.record(actor=actor, action="campaign.badge_report.create", obj=report,
                     changes={"verdict": [None, check.verdict]})
    return report


def badge_report_close(*, actor: Actor, report: BadgeReport, note: str) -> BadgeReport:
    with transaction.atomic():
        report = BadgeReport.objects.select_for_update().get(pk=report.pk)
        if report.status != BadgeReportStatus.OPEN:
            raise ValidationFailed("该举报已经处理。")
        report.status = BadgeReportStatus.HANDLED
        report.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="campaign.badge_report.close", obj=report,
                     changes={"status": [BadgeReportStatus.OPEN, BadgeReportStatus.HANDLED], "note": [None, note]})
    return report
