"""The demonstration-title API: the public checks a bank or procurement office makes (policy 五(三)) and the
current publicity; for staff, the applications in their scope and a review sign-off.

An illegal transition answers 409 `transition_not_allowed` with `details.allowed`, the statuses the application
may move to from where it is."""

from datetime import date, datetime

from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.merchants import selectors as entity_selectors

from . import selectors, services
from .choices import ApplicationStatus, TitleLevel, TitleStatus
from .flows import APPLICATION_FLOW

router = Router(tags=["放心消费示范单位"])


# --- schemas ---------------------------------------------------------------------------------------------------

class TitleOut(Schema):
    name: str
    level: str
    level_label: str
    year: int
    region: str
    certificate_no: str
    awarded_on: date
    valid_until: date
    status: str
    status_label: str


class TitleStatusOut(Schema):
    uscc: str
    name: str
    holds_valid_title: bool
    highest_valid_level: str | None
    titles: list[TitleOut]


class CandidateOut(Schema):
    application_id: int
    uscc: str
    name: str
    sector: str
    sector_name: str
    county: str
    county_name: str
    agreed_score: str | None
    standard_title: str
    standard_version: int
    pass_mark: str


class PublicityOut(Schema):
    id: int
    title: str
    year: int
    level: str
    level_label: str
    region: str
    region_name: str
    starts_on: date
    ends_on: date
    candidates: list[CandidateOut]


class ReviewOut(Schema):
    role: str
    role_label: str
    decision: str
    decision_label: str
    total: str
    vetoes: list[int]
    signed_at: datetime


class ApplicationOut(Schema):
    id: int
    year: int
    level: str
    level_label: str
    status: str
    status_label: str
    uscc: str
    entity_name: str
    region: str
    region_name: str
    sector: str
    standard_id: int
    standard_version: int
    pass_mark: str
    self_total: str
    agreed_score: str | None
    submitted_at: datetime
    decided_on: date | None
    reviews: list[ReviewOut]

    @staticmethod
    def resolve_year(a):
        return a.cycle.year

    @staticmethod
    def resolve_level_label(a):
        return a.get_level_display()

    @staticmethod
    def resolve_status_label(a):
        return a.get_status_display()

    @staticmethod
    def resolve_uscc(a):
        return a.entity.uscc

    @staticmethod
    def resolve_entity_name(a):
        return a.entity.name

    @staticmethod
    def resolve_region(a):
        return a.region.code

    @staticmethod
    def resolve_region_name(a):
        return a.region.name

    @staticmethod
    def resolve_sector(a):
        return a.entity.sector.code

    @staticmethod
    def resolve_standard_version(a):
        return a.standard.version

    @staticmethod
    def resolve_pass_mark(a):
        return str(a.standard.pass_mark)

    @staticmethod
    def resolve_self_total(a):
        return str(a.self_total)

    @staticmethod
    def resolve_agreed_score(a):
        return None if a.agreed_score is None else str(a.agreed_score)

    @staticmethod
    def resolve_submitted_at(a):
        return a.created_at

    @staticmethod
    def resolve_reviews(a):
        return [{"role": r.role, "role_label": r.get_role_display(), "decision": r.decision,
                 "decision_label": r.get_decision_display(), "total": str(r.total), "vetoes": r.vetoes,
                 "signed_at": r.signed_at} for r in a.reviews.all()]


class ApplicationFilter(Schema):
    status: str = ""
    level: str = ""
    year: int | None = None


class ReviewIn(Schema):
    """scores: {item number: points} for every scored item (bonus items optional); a veto item found is marked
    with "1". decision: approve or reject."""

    scores: dict[str, str | float | int]
    decision: str
    opinion: str
    comments: dict[str, str] = {}


# --- helpers ---------------------------------------------------------------------------------------------------

def _money(value) -> str | None:
    return None if value is None else str(value)


def _reader(request) -> None:
    role = getattr(request.auth, "role", None)
    if role not in STAFF_ROLES | AUDIT_READERS:
        raise PermissionDenied("只有工作人员可以查看示范单位申报。")


# --- public ----------------------------------------------------------------------------------------------------

@router.get("/public/titles/{uscc}", response=TitleStatusOut, auth=None,
            summary="按统一社会信用代码查询放心消费示范单位称号（供银行授信、招标采购等核验）",
            description="返回该单位获得的全部称号及当前状态（有效、已到期、已撤销）；未登记的代码返回 404。")
def public_title_status(request, uscc: str):
    entity = entity_selectors.entity_public_get(uscc)
    titles = selectors.title_status_of(entity.uscc)
    for title in titles:
        title["status_label"] = TitleStatus(title["status"]).label
    valid = [t for t in titles if t["status"] == TitleStatus.VALID]
    rank = {level: i for i, level in enumerate(TitleLevel.values)}
    highest = max((t["level"] for t in valid), key=rank.__getitem__, default=None)
    return {"uscc": entity.uscc, "name": entity.name, "holds_valid_title": bool(valid),
            "highest_valid_level": highest, "titles": titles}


@router.get("/public/publicity", response=list[PublicityOut], auth=None, summary="正在公示的示范单位候选名单")
def public_publicity(request):
    out = []
    for publicity in selectors.current_publicities():
        candidates = selectors.publicity_candidates(publicity).filter(status=ApplicationStatus.PUBLICITY)
        out.append({
            "id": publicity.pk, "title": str(publicity), "year": publicity.cycle.year, "level": publicity.level,
            "level_label": publicity.get_level_display(), "region": publicity.region.code,
            "region_name": publicity.region.name, "starts_on": publicity.starts_on, "ends_on": publicity.ends_on,
            "candidates": [{
                "application_id": c.pk, "uscc": c.entity.uscc, "name": c.entity.name,
                "sector": c.entity.sector.code, "sector_name": c.entity.sector.name,
                "county": c.entity.region.code, "county_name": c.entity.region.name,
                "agreed_score": _money(c.agreed_score), "standard_title": c.standard.title,
                "standard_version": c.standard.version, "pass_mark": str(c.standard.pass_mark)}
                for c in candidates.select_related("entity__region")],
        })
    return out


# --- staff -----------------------------------------------------------------------------------------------------

@router.get("/titles/applications", response=list[ApplicationOut], auth=STAFF_AUTH,
            summary="管辖范围内的示范单位申报", description="status：状态代码；level：county/city/region；year：年度。")
@paginate(PageNumberPagination, page_size=50)
def application_list(request, filters: Query[ApplicationFilter]):
    _reader(request)
    rows = selectors.applications_visible(request.auth).prefetch_related("reviews")
    if filters.status:
        if filters.status not in ApplicationStatus.values:
            raise ValidationFailed(f"未知的状态：{filters.status}", details={"field": "status"})
        rows = rows.filter(status=filters.status)
    if filters.level:
        if filters.level not in TitleLevel.values:
            raise ValidationFailed(f"未知的级别：{filters.level}", details={"field": "level"})
        rows = rows.filter(level=filters.level)
    if filters.year is not None:
        rows = rows.filter(cycle__year=filters.year)
    return rows.order_by("-cycle__year", "level", "id")


@router.post("/titles/applications/{application_id}/review", response=ApplicationOut, auth=STAFF_AUTH,
             summary="评审签署（行业牵头部门或消费者协会）",
             description="两方都签署后得出该级评审结论。已评审完毕的申报返回 409，details.allowed 为当前状态可转入的状态；"
                         "同一方重复签署返回 409（conflict）；声明了利益冲突的评审人返回 403。")
def application_review(request, application_id: int, payload: ReviewIn):
    application = selectors.application_get(request.auth, application_id)
    if getattr(request.auth, "pk", None) is None:
        raise PermissionDenied("评审须由评审人本人登录签署，部门 API 令牌不能签署评审。")
    try:
        services.review_sign(actor=Actor.from_request(request), application=application,
                             scores={str(k): v for k, v in payload.scores.items()}, decision=payload.decision,
                             opinion=payload.opinion, comments=payload.comments)
    except TransitionNotAllowed as exc:
        current = exc.details.get("from", application.status)
        raise TransitionNotAllowed(exc.message, details={
            **exc.details, "allowed": sorted(APPLICATION_FLOW.allowed(current))}) from None
    return selectors.application_get(request.auth, application_id)
