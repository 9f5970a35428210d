"""Public checks a bank or procurement office can make (policy 五(三)), and enrollment for integrations."""

from datetime import date

from ninja import Router, Schema, Status

from fangxin.api.auth import STAFF_AUTH
from fangxin.core.actors import Actor
from fangxin.merchants import selectors as entity_selectors

from . import selectors, services
from .choices import EnrollmentStatus

router = Router(tags=["放心消费创建"])


class EnrollmentOut(Schema):
    serial: str
    status: str
    status_label: str
    signed_on: date
    commitment_version: int
    specific_commitments: list[str]
    verification_url: str


class PublicEntityOut(Schema):
    uscc: str
    name: str
    entity_type: str
    region_code: str
    region_name: str
    sector_code: str
    sector_name: str
    address: str
    operating_status: str
    enrolled: bool
    enrollment: EnrollmentOut | None


def enrollment_out(enrollment) -> dict | None:
    if enrollment is None:
        return None
    from .rendering import verification_url

    return {"serial": enrollment.serial, "status": enrollment.status, "status_label": enrollment.get_status_display(),
            "signed_on": enrollment.signed_at.date(), "commitment_version": enrollment.commitment.version,
            "specific_commitments": [c.code for c in enrollment.specific_commitments.all()],
            "verification_url": verification_url(enrollment)}


@router.get("/public/entities/{uscc}", response=PublicEntityOut, auth=None,
            summary="按统一社会信用代码查询市场主体的公开信息与创建状态")
def public_entity(request, uscc: str):
    entity = entity_selectors.entity_public_get(uscc)
    enrollment = selectors.current_enrollment(entity)
    return {"uscc": entity.uscc, "name": entity.name, "entity_type": entity.entity_type,
            "region_code": entity.region.code, "region_name": entity.region.name, "sector_code": entity.sector.code,
            "sector_name": entity.sector.name, "address": entity.address,
            "operating_status": entity.operating_status,
            "enrolled": bool(enrollment and enrollment.status == EnrollmentStatus.ACTIVE),
            "enrollment": enrollment_out(enrollment)}


class BadgeVerifyOut(Schema):
    verdict: str
    verdict_label: str
    genuine: bool
    serial: str | None
    uscc: str | None
    name: str | None
    enrollment_status: str | None


@router.get("/badges/verify", response=BadgeVerifyOut, auth=None, summary="核验创建标志（令牌或扫码得到的网址）")
def badge_verify(request, token: str):
    check = services.badge_check(token)
    enrollment = check.enrollment
    return {"verdict": check.verdict, "verdict_label": check.label, "genuine": check.genuine,
            "serial": enrollment.serial if enrollment else None,
            "uscc": enrollment.entity.uscc if enrollment else None,
            "name": enrollment.entity.name if enrollment else None,
            "enrollment_status": enrollment.status if enrollment else None}


class EnrollIn(Schema):
    uscc: str
    commitment_version: int
    specific_commitments: list[str] = []
    display_method: str
    signed_name: str
    agreed: bool


@router.post("/enrollments", response={201: EnrollmentOut}, auth=STAFF_AUTH, summary="登记创建单位（经营者本人或工作人员代办）")
def enrollment_create(request, payload: EnrollIn):
    entity = entity_selectors.entity_get(user=request.auth, uscc=payload.uscc)
    enrollment = services.enrollment_create(
        actor=Actor.from_request(request), entity=entity, commitment_version=payload.commitment_version,
        specific_codes=payload.specific_commitments, display_method=payload.display_method,
        signed_name=payload.signed_name, agreed=payload.agreed)
    return Status(201, enrollment_out(enrollment))


class TransitionIn(Schema):
    to_status: str
    reason: str


@router.post("/enrollments/{serial}/status", response=EnrollmentOut, auth=STAFF_AUTH, summary="暂停、恢复、撤销或退出")
def enrollment_transition(request, serial: str, payload: TransitionIn):
    enrollment = selectors.enrollment_get(user=request.auth, serial=serial)
    enrollment = services.enrollment_transition(actor=Actor.from_request(request), enrollment=enrollment,
                                                to_status=payload.to_status, reason=payload.reason)
    return enrollment_out(enrollment)
