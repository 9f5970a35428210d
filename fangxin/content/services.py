"""Every write of the portal-content capability: articles (write, submit, review, withdraw) and surveys (define,
publish, answer). Each public function is one transaction: check the actor and the transition (flows.py), change
state, write the timeline entry and the audit record.

Who reviews an article: a user other than its author who is either in the joint-meeting office (it coordinates
the campaign's publicity, policy 六(三)) or the unit head (`is_unit_head`) of the article's department (the
"谁执法谁普法" responsibility stays with the department that enforces)."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.scope import scope_of
from fangxin.core import audit
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from fangxin.organisation.models import Department, Region, Sector
from fangxin.triage.masking import mask_text

from . import attachments
from .choices import ArticleKind, ArticleStatus
from .flows import ACTION_LABELS, ARTICLE_FLOW, REASON_REQUIRED, REVIEW_STEPS
from .models import Answer, Article, ArticleAttachment, ArticleEvent, Question, Response, Survey
from .questions import parse_questions
from .rendering import mask_markdown

BODY_LIMIT = 50_000
COMMENT_LIMIT = 500


# --- who may do what -------------------------------------------------------------------------------------------

def can_write(user) -> bool:
    return getattr(user, "role", None) in STAFF_ROLES


def can_review(user, article: Article) -> bool:
    if not getattr(user, "is_authenticated", False) or user.pk == article.author_id:
        return False
    if user.role == Role.JOINT_OFFICE:
        return True
    return bool(user.is_unit_head and user.department_id and user.department_id == article.department_id
                and user.role in STAFF_ROLES)


def can_submit(user, article: Article) -> bool:
    return ARTICLE_FLOW.can(article.status, ArticleStatus.SUBMITTED) and _author_side(user, article)


def can_edit(user, article: Article) -> bool:
    """The author, or a colleague of the author's department, while the article is a draft or returned."""
    return article.editable and _author_side(user, article)


def _author_side(user, article: Article) -> bool:
    """The author, or staff of the article's department: they submit (and resubmit) it."""
    if not can_write(user):
        return False
    return user.pk == article.author_id or (user.department_id is not None
                                            and user.department_id == article.department_id)


def _in_scope(user, region: Region) -> bool:
    scope = scope_of(user)
    return scope.everything or (scope.region_path is not None and region.path.startswith(scope.region_path))


# --- articles --------------------------------------------------------------------------------------------------

@dataclass
class ArticleInput:
    kind: str
    title: str
    body: str
    region: Region
    department: Department
    summary: str = ""
    sector: Sector | None = None


def _clean_article(data: ArticleInput) -> dict:
    if data.kind not in ArticleKind.values:
        raise ValidationFailed("请选择栏目。", details={"field": "kind"})
    title, summary, body = (data.title or "").strip(), (data.summary or "").strip(), (data.body or "").strip()
    if not title:
        raise ValidationFailed("请填写标题。", details={"field": "title"})
    if len(title) > 120:
        raise ValidationFailed("标题最多 120 个字。", details={"field": "title"})
    if len(summary) > 300:
        raise ValidationFailed("摘要最多 300 个字。", details={"field": "summary"})
    if not body:
        raise ValidationFailed("请填写正文。", details={"field": "body"})
    if len(body) > BODY_LIMIT:
        raise ValidationFailed(f"正文最多 {BODY_LIMIT} 个字。", details={"field": "body"})
    if data.region is None or data.region.level not in ("city", "county"):
        raise ValidationFailed("地区应为全市或一个旗县区。", details={"field": "region"})
    if data.department is None:
        raise ValidationFailed("请选择发布部门。", details={"field": "department"})
    return {"kind": data.kind, "title": title, "summary": summary, "body": body, "region": data.region,
            "department": data.department, "sector": data.sector}


def article_save(*, actor: Actor, data: ArticleInput, article: Article | None = None) -> Article:
    """Create a draft, or change a draft, returned or withdrawn article."""
    if actor.role != SYSTEM_ROLE and not can_write(actor.user):
        raise PermissionDenied("资讯由各部门、旗县区工作人员和联席会议办公室撰写。")
    values = _clean_article(data)
    if actor.role != SYSTEM_ROLE and not _in_scope(actor.user, values["region"]):
        raise PermissionDenied("只能发布本辖区的资讯。")
    with transaction.atomic():
        if article is None:
            article = Article(author=actor.user if actor.user_id else None, author_name=actor.name, **values)
            article.save()
            _event(article, actor, "撰写", to_status=ArticleStatus.DRAFT)
            audit.record(actor=actor, action="content.article.create", obj=article,
                         changes={"kind": [None, article.kind], "title": [None, article.title]})
            return article
        article = Article.objects.select_for_update().get(pk=article.pk)
        if actor.role != SYSTEM_ROLE and not can_edit(actor.user, article):
            raise PermissionDenied("只有撰稿人或本部门工作人员可以修改草稿、被退回或已撤回的资讯。")
        if not article.editable:
            raise ValidationFailed("已提交或已发布的资讯不能修改；撤回或退回后再修改。")
        changes = {}
        for name, value in values.items():
            before = getattr(article, name)
            if before != value:
                changes[name] = [str(before) if name in ("region", "department", "sector") else before,
                                 str(value) if name in ("region", "department", "sector") else value]
                setattr(article, name, value)
        article.save()
        if changes:
            audit.record(actor=actor, action="content.article.update", obj=article,
                         changes={k: v for k, v in changes.items() if k != "body"} | (
                             {"body": ["…", f"{len(article.body)} 字"]} if "body" in changes else {}))
    return article


def article_transition(*, actor: Actor, article: Article, to_status: str, reason: str = "") -> Article:
    """Submit (the author's side), publish / return / withdraw (a reviewer's). Publishing stores the masked copy
    the public reads; withdrawing takes it off the portal at once."""
    if to_status not in ArticleStatus.values:
        raise ValidationFailed("未知的资讯状态。", details={"field": "to_status"})
    reason = (reason or "").strip()
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationFailed("请填写退回理由。" if to_status == ArticleStatus.RETURNED else "请填写撤回理由。",
                               details={"field": "reason"})
    if len(reason) > 1000:
        raise ValidationFailed("理由最多 1000 个字。", details={"field": "reason"})
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        ARTICLE_FLOW.check(article.status, to_status)
        if actor.role != SYSTEM_ROLE:
            if to_status in REVIEW_STEPS and not can_review(actor.user, article):
                raise PermissionDenied("审核由联席会议办公室或发布部门负责人（非撰稿人本人）进行。")
            if to_status == ArticleStatus.SUBMITTED and not _author_side(actor.user, article):
                raise PermissionDenied("只有撰稿人或本部门工作人员可以提交审核。")
        before, now = article.status, timezone.now()
        article.status = to_status
        if to_status == ArticleStatus.SUBMITTED:
            article.submitted_at, article.reason = now, ""
        elif to_status == ArticleStatus.PUBLISHED:
            article.reviewed_by, article.published_at = actor.name, now
            article.published_title = mask_text(article.title)[:120]
            article.published_summary = mask_text(article.summary)[:300]
            article.published_body = mask_markdown(article.body)
        else:
            article.reviewed_by, article.reason = actor.name, reason
        if to_status == ArticleStatus.WITHDRAWN:
            # The public copy goes with it; a re-publication masks the text again.
            article.published_title = article.published_summary = article.published_body = ""
        article.save()
        _event(article, actor, ACTION_LABELS[to_status], from_status=before, to_status=to_status, note=reason)
        audit.record(actor=actor, action=f"content.article.{to_status}", obj=article,
                     changes={"status": [before, to_status], "reason": [None, reason or None]})
    return article


def attachment_add(*, actor: Actor, article: Article, upload) -> ArticleAttachment:
    """Attach a file to an article that can still be edited (at most attachments.MAX_FILES)."""
    if actor.role != SYSTEM_ROLE and not can_edit(actor.user, article):
        raise PermissionDenied("只有撰稿人或本部门工作人员可以为草稿、被退回或已撤回的资讯添加附件。")
    checked = attachments.check(upload)  # cleaned bytes under a random name; the user's name is display only
    name, content_type, size, digest = checked.name, checked.content_type, checked.size, checked.sha256
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if not article.editable:
            raise ValidationFailed("已提交或已发布的资讯不能修改附件。")
        if article.attachments.count() >= attachments.MAX_FILES:
            raise ValidationFailed(f"每篇资讯最多 {attachments.MAX_FILES} 个附件。", details={"field": "file"})
        stored = ArticleAttachment(article=article, name=name, content_type=content_type, size=size, sha256=digest,
                                   uploaded_by=actor.name, uploaded_at=timezone.now())
        stored.file.save(checked.stored_name, checked.file, save=False)
        stored.save()
        audit.record(actor=actor, action="content.article.attach", obj=article,
                     changes={"attachment": [None, name], "sha256": [None, digest]})
    return stored


def attachment_remove(*, actor: Actor, attachment: ArticleAttachment) -> None:
    article = attachment.article
    if actor.role != SYSTEM_ROLE and not can_edit(actor.user, article):
        raise PermissionDenied("只有撰稿人或本部门工作人员可以删除草稿、被退回或已撤回资讯的附件。")
    with transaction.atomic():
        name = attachment.name
        attachment.delete()
        audit.record(actor=actor, action="content.article.detach", obj=article, changes={"attachment": [name, None]})
    transaction.on_commit(lambda: attachment.file.delete(save=False))


def _event(article: Article, actor: Actor, label: str, *, from_status: str = "", to_status: str = "",
           note: str = "") -> ArticleEvent:
    return ArticleEvent.objects.create(article=article, at=timezone.now(), label=label, from_status=from_status,
                                       to_status=to_status, actor_name=actor.name, note=note)


# --- surveys ---------------------------------------------------------------------------------------------------

@dataclass
class SurveyInput:
    title: str
    sector: Sector
    region: Region
    opens_on: date
    closes_on: date
    questions: str  # questions.parse_questions format
    intro: str = ""
    allow_comment: bool = True


def _clean_survey(data: SurveyInput) -> tuple[dict, list[dict]]:
    title = (data.title or "").strip()
    if not title or len(title) > 120:
        raise ValidationFailed("请填写调查名称（最多 120 个字）。", details={"field": "title"})
    if data.sector is None:
        raise ValidationFailed("请选择行业。", details={"field": "sector"})
    if data.region is None or data.region.level not in ("city", "county"):
        raise ValidationFailed("地区应为全市或一个旗县区。", details={"field": "region"})
    if not data.opens_on or not data.closes_on or data.closes_on < data.opens_on:
        raise ValidationFailed("结束日期不能早于开始日期。", details={"field": "closes_on"})
    if (data.closes_on - data.opens_on).days > 366:
        raise ValidationFailed("调查期最长一年。", details={"field": "closes_on"})
    intro = (data.intro or "").strip()
    if len(intro) > 2000:
        raise ValidationFailed("说明最多 2000 个字。", details={"field": "intro"})
    questions = parse_questions(data.questions)
    return ({"title": title, "sector": data.sector, "region": data.region, "opens_on": data.opens_on,
             "closes_on": data.closes_on, "intro": intro, "allow_comment": bool(data.allow_comment)}, questions)


def can_manage_survey(user, survey: Survey | None = None) -> bool:
    if not can_write(user):
        return False
    return survey is None or _in_scope(user, survey.region)


def survey_save(*, actor: Actor, data: SurveyInput, survey: Survey | None = None) -> Survey:
    """Define a survey, or change one that is not published yet (answers must all see the same questions)."""
    if actor.role != SYSTEM_ROLE and not can_manage_survey(actor.user, survey):
        raise PermissionDenied("满意度调查由各部门、旗县区工作人员、消费者协会和联席会议办公室设置。")
    values, questions = _clean_survey(data)
    if actor.role != SYSTEM_ROLE:
        if not _in_scope(actor.user, values["region"]):
            raise PermissionDenied("只能设置本辖区的满意度调查。")
        sectors = scope_of(actor.user).sector_ids
        if sectors is not None and values["sector"].pk not in sectors:
            raise PermissionDenied("职能部门只能设置本部门牵头或配合行业的满意度调查。")
    with transaction.atomic():
        if survey is None:
            survey = Survey.objects.create(created_by=actor.name, **values)
            action = "content.survey.create"
        else:
            survey = Survey.objects.select_for_update().get(pk=survey.pk)
            if survey.is_published:
                raise ValidationFailed("已发布的调查不能修改题目和期限。")
            for name, value in values.items():
                setattr(survey, name, value)
            survey.save()
            survey.questions.all().delete()
            action = "content.survey.update"
        Question.objects.bulk_create([Question(survey=survey, seq=n, **q) for n, q in enumerate(questions, 1)])
        audit.record(actor=actor, action=action, obj=survey,
                     changes={"title": [None, survey.title], "questions": [None, len(questions)],
                              "period": [None, f"{survey.opens_on}～{survey.closes_on}"]})
    return survey


def survey_publish(*, actor: Actor, survey: Survey) -> Survey:
    if actor.role != SYSTEM_ROLE and not can_manage_survey(actor.user, survey):
        raise PermissionDenied("无权发布该调查。")
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.is_published:
            raise Conflict("该调查已发布。")
        if survey.closes_on < timezone.localdate():
            raise ValidationFailed("结束日期已过，请先修改调查期。", details={"field": "closes_on"})
        survey.is_published, survey.published_at = True, timezone.now()
        survey.save(update_fields=["is_published", "published_at", "updated_at"])
        audit.record(actor=actor, action="content.survey.publish", obj=survey,
                     changes={"is_published": [False, True]})
    return survey


def device_digest(token: str) -> str:
    """What is stored of the answering device: a hash of its random cookie, never the cookie or an address."""
    return hashlib.sha256(f"fangxin-survey|{token}".encode()).hexdigest()


def survey_answer(*, survey: Survey, device_token: str, answers: dict[int, int], comment: str = "") -> Response:
    """An anonymous answer: every question answered with an allowed value, once per device. The comment is
    masked before it is stored (no personal data is kept)."""
    if not survey.is_open:
        raise ValidationFailed("该调查不在答题期内。")
    if not device_token or len(device_token) < 16:
        raise ValidationFailed("请允许本网站使用 Cookie 后再答题（用于防止重复提交）。")
    questions = list(survey.questions.all())
    rows = []
    for question in questions:
        value = answers.get(question.pk)
        if value is None:
            raise ValidationFailed(f"请回答第 {question.seq} 题。", details={"field": f"q{question.pk}"})
        if value not in question.values():
            raise ValidationFailed(f"第 {question.seq} 题的答案无效。", details={"field": f"q{question.pk}"})
        rows.append((question, value))
    unknown = set(answers) - {q.pk for q in questions}
    if unknown:
        raise ValidationFailed("答卷包含不属于该调查的题目。")
    comment = (comment or "").strip() if survey.allow_comment else ""
    if len(comment) > COMMENT_LIMIT:
        raise ValidationFailed(f"意见建议最多 {COMMENT_LIMIT} 个字。", details={"field": "comment"})
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, device=device_digest(device_token),
                                               submitted_at=timezone.now(), comment=mask_text(comment))
            Answer.objects.bulk_create([Answer(response=response, question=q, value=v) for q, v in rows])
    except IntegrityError:
        raise Conflict("您已参加过本次调查，感谢支持。", code="already_answered") from None
    return response
