"""/api/v1/content/…: portal articles and satisfaction surveys.

Public (no account): published articles (the masked text, as Markdown and as safe HTML), published surveys, an
anonymous answer to an open survey (a client-generated random `device` string stands for the browser cookie:
one answer per device; answers are also rate-limited per address), and the results of a closed survey.
Staff (session or department token): write an article, submit it, and review it (publish, return, withdraw);
an illegal step answers 409 `transition_not_allowed` with `details.allowed`."""

from datetime import date, datetime

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.actors import Actor, client_ip_of
from fangxin.core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.organisation.models import Department, Region, Sector

from . import selectors, services, throttle
from .choices import ArticleKind, SurveyState
from .flows import ARTICLE_FLOW
from .rendering import render_markdown

router = Router(tags=["门户内容"])


class PublicArticleOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    summary: str
    department: str
    region: str
    sector: str | None
    published_at: datetime

    @staticmethod
    def resolve_kind_label(a):
        return a.get_kind_display()

    @staticmethod
    def resolve_title(a):
        return a.published_title

    @staticmethod
    def resolve_summary(a):
        return a.published_summary

    @staticmethod
    def resolve_department(a):
        return a.department.name

    @staticmethod
    def resolve_region(a):
        return a.region.code

    @staticmethod
    def resolve_sector(a):
        return a.sector.code if a.sector_id else None


class PublicArticleDetailOut(PublicArticleOut):
    body_markdown: str
    body_html: str

    @staticmethod
    def resolve_body_markdown(a):
        return a.published_body

    @staticmethod
    def resolve_body_html(a):
        return str(render_markdown(a.published_body))


class ArticleFilter(Schema):
    kind: str = ""
    q: str = ""


class ArticleIn(Schema):
    kind: str
    title: str
    summary: str = ""
    body: str
    region: str  # region code: the city or a county
    department: str  # department code
    sector: str | None = None


class ArticleOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    body: str
    status: str
    status_label: str
    allowed: list[str]
    region: str
    department: str
    sector: str | None
    author_name: str
    reviewed_by: str
    reason: str
    published_at: datetime | None

    @staticmethod
    def resolve_status_label(a):
        return a.get_status_display()

    @staticmethod
    def resolve_allowed(a):
        return sorted(ARTICLE_FLOW.allowed(a.status))

    @staticmethod
    def resolve_region(a):
        return a.region.code

    @staticmethod
    def resolve_department(a):
        return a.department.code

    @staticmethod
    def resolve_sector(a):
        return a.sector.code if a.sector_id else None


class ArticleTransitionIn(Schema):
    """to: submitted (author), published / returned / withdrawn (reviewer); reason required to return or withdraw."""

    to: str
    reason: str = ""


class QuestionOut(Schema):
    id: int
    seq: int
    text: str
    kind: str
    options: list[str]


class SurveyOut(Schema):
    id: int
    title: str
    intro: str
    sector: str
    region: str
    opens_on: date
    closes_on: date
    state: str
    allow_comment: bool
    questions: list[QuestionOut]

    @staticmethod
    def resolve_sector(s):
        return s.sector.code

    @staticmethod
    def resolve_region(s):
        return s.region.code

    @staticmethod
    def resolve_state(s):
        return s.state()

    @staticmethod
    def resolve_questions(s):
        return list(s.questions.all())


class AnswerIn(Schema):
    device: str  # a random string (at least 16 characters) kept by the client; only its hash is stored
    answers: dict[int, int]  # question id → rating 1–5 or 1-based option number
    comment: str = ""


class OptionResultOut(Schema):
    value: int
    label: str
    count: int
    share: float


class QuestionResultOut(Schema):
    seq: int
    text: str
    kind: str
    answered: int
    average: float | None
    satisfied_share: float | None
    options: list[OptionResultOut]


class ResultsOut(Schema):
    survey_id: int
    responses: int
    questions: list[QuestionResultOut]


# --- public articles -------------------------------------------------------------------------------------------

@router.get("/content/articles", response=list[PublicArticleOut], auth=None, summary="已发布的资讯",
            description="kind：announcement、typical_case、education、warning、sampling_failure、recall；q：关键词。"
                        "正文和标题为发布时遮盖个人信息后的文本。")
@paginate(PageNumberPagination, page_size=20)
def public_article_list(request, filters: Query[ArticleFilter]):
    if filters.kind and filters.kind not in ArticleKind.values:
        raise ValidationFailed(f"未知的栏目：{filters.kind}", details={"field": "kind"})
    return selectors.public_articles(kind=filters.kind, q=filters.q)


@router.get("/content/articles/{article_id}", response=PublicArticleDetailOut, auth=None,
            summary="一篇已发布的资讯（Markdown 与安全的 HTML）")
def public_article_detail(request, article_id: int):
    return selectors.public_article(article_id)


# --- staff articles --------------------------------------------------------------------------------------------

def _writer(request) -> Actor:
    actor = Actor.from_request(request)
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied("资讯由工作人员撰写和审核。")
    return actor


def _article_input(payload: ArticleIn) -> services.ArticleInput:
    region = Region.objects.filter(code=payload.region).first()
    department = Department.objects.filter(code=payload.department, is_active=True).first()
    if region is None:
        raise ValidationFailed(f"未知的地区代码：{payload.region}", details={"field": "region"})
    if department is None:
        raise ValidationFailed(f"未知的部门代码：{payload.department}", details={"field": "department"})
    sector = None
    if payload.sector:
        sector = Sector.objects.filter(code=payload.sector).first()
        if sector is None:
            raise ValidationFailed(f"未知的行业代码：{payload.sector}", details={"field": "sector"})
    return services.ArticleInput(kind=payload.kind, title=payload.title, summary=payload.summary, body=payload.body,
                                 region=region, department=department, sector=sector)


@router.post("/content/staff/articles", response={201: ArticleOut}, auth=STAFF_AUTH, summary="撰写资讯（草稿）")
def staff_article_create(request, payload: ArticleIn):
    article = services.article_save(actor=_writer(request), data=_article_input(payload))
    return Status(201, selectors.article_get(request.auth, article.pk))


@router.get("/content/staff/articles/{article_id}", response=ArticleOut, auth=STAFF_AUTH,
            summary="管辖范围内的一篇资讯（含未发布的原文）")
def staff_article_detail(request, article_id: int):
    if getattr(request.auth, "role", None) not in STAFF_ROLES | AUDIT_READERS:
        raise PermissionDenied("只有工作人员可以查看未发布的资讯。")
    return selectors.article_get(request.auth, article_id)


@router.put("/content/staff/articles/{article_id}", response=ArticleOut, auth=STAFF_AUTH,
            summary="修改草稿、被退回或已撤回的资讯")
def staff_article_update(request, article_id: int, payload: ArticleIn):
    actor = _writer(request)
    article = selectors.article_get(request.auth, article_id)
    services.article_save(actor=actor, data=_article_input(payload), article=article)
    return selectors.article_get(request.auth, article_id)


@router.post("/content/staff/articles/{article_id}/transition", response=ArticleOut, auth=STAFF_AUTH,
             summary="提交审核、发布、退回或撤回",
             description="draft/returned/withdrawn → submitted（撰稿人或本部门）；submitted → published 或 returned、"
                         "published → withdrawn（联席会议办公室或发布部门负责人，且不是撰稿人）。退回、撤回须填写 reason。")
def staff_article_transition(request, article_id: int, payload: ArticleTransitionIn):
    actor = _writer(request)
    article = selectors.article_get(request.auth, article_id)
    try:
        services.article_transition(actor=actor, article=article, to_status=payload.to, reason=payload.reason)
    except TransitionNotAllowed as exc:
        raise TransitionNotAllowed(exc.message, details={
            **exc.details, "allowed": sorted(ARTICLE_FLOW.allowed(article.status))}) from None
    return selectors.article_get(request.auth, article_id)


# --- surveys ---------------------------------------------------------------------------------------------------

@router.get("/content/surveys", response=list[SurveyOut], auth=None, summary="已发布的满意度调查")
@paginate(PageNumberPagination, page_size=20)
def survey_list(request):
    return selectors.public_surveys().prefetch_related("questions")


@router.get("/content/surveys/{survey_id}", response=SurveyOut, auth=None, summary="一项满意度调查及其题目")
def survey_detail(request, survey_id: int):
    return selectors.public_survey(survey_id)


@router.post("/content/surveys/{survey_id}/answers", response={201: dict}, auth=None,
             summary="匿名作答（每台设备一次）",
             description="同一 device 重复提交返回 409 already_answered；不在答题期返回 422；同一地址提交过于频繁返回 429。")
def survey_answer(request, survey_id: int, payload: AnswerIn):
    survey = selectors.public_survey(survey_id)
    if not throttle.allow(client_ip_of(request)):
        raise HttpError(429, "提交过于频繁，请一小时后再试。")
    response = services.survey_answer(survey=survey, device_token=payload.device, answers=payload.answers,
                                      comment=payload.comment)
    return Status(201, {"survey_id": survey.pk, "submitted_at": response.submitted_at.isoformat()})


@router.get("/content/surveys/{survey_id}/results", response=ResultsOut, auth=None,
            summary="调查结果（调查结束后公布）", description="调查尚未结束时返回 404。")
def survey_results(request, survey_id: int):
    survey = selectors.public_survey(survey_id)
    if survey.state() != SurveyState.CLOSED:
        raise NotFound("调查结束后公布结果。")
    results = selectors.survey_results(survey)
    return {"survey_id": survey.pk, "responses": results.responses,
            "questions": [vars(q) | {"options": [vars(o) for o in q.options]} for q in results.questions]}
