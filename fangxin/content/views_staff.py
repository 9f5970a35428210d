"""Staff pages under /workbench/content/: articles (list, write with preview, submit, review queue, review with
the masking preview) and satisfaction surveys (define, publish, results, XLSX).

Views parse, call one service or selector and render; a domain error becomes a Chinese message on the page.
A page a role may not use answers 404, as for a page that does not exist."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core import uploads
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.triage.masking import mask_text
from fangxin.workbench.decorators import page_for

from . import exports, selectors, services
from .attachments import MAX_FILES
from .choices import ArticleStatus
from .flows import ACTION_LABELS, ARTICLE_FLOW, REVIEW_STEPS
from .forms import ArticleFilterForm, ArticleForm, SurveyForm, TransitionForm
from .rendering import mask_markdown, mask_preview, render_markdown

PAGE_SIZE = 50


def reads_content(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS


def writes_content(user) -> bool:
    return services.can_write(user)


def _actor(request) -> Actor:
    return Actor.from_request(request)


def _form_error(form, exc: FangxinError) -> None:
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


# --- articles --------------------------------------------------------------------------------------------------

@page_for(reads_content)
def article_list(request):
    form = ArticleFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.articles_visible(request.user, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "content/staff_list.html", {
        "form": form, "page": page, "can_write": writes_content(request.user),
        "queue_count": selectors.review_queue(request.user).count()})


@page_for(reads_content)
def review_queue(request):
    return render(request, "content/staff_review_queue.html", {"rows": selectors.review_queue(request.user)})


def _preview(form) -> dict:
    body = form.data.get("body", "")
    return {"title": mask_text(form.data.get("title", "")), "summary": mask_text(form.data.get("summary", "")),
            "html": render_markdown(mask_markdown(body)), "masked": mask_preview(" ".join(
                [form.data.get("title", ""), form.data.get("summary", ""), body]))}


def _article_input(form) -> services.ArticleInput:
    data = form.cleaned_data
    return services.ArticleInput(kind=data["kind"], title=data["title"], summary=data["summary"], body=data["body"],
                                 sector=data["sector"], region=data["region"], department=data["department"])


def _edit(request, article=None):
    initial = None
    if article is not None:
        initial = {"kind": article.kind, "title": article.title, "summary": article.summary, "body": article.body,
                   "sector": article.sector_id, "region": article.region_id, "department": article.department_id}
    form = ArticleForm(request.POST or None, user=request.user, initial=initial)
    preview, status = None, 200
    if request.method == "POST":
        if request.POST.get("action") == "preview":
            preview = _preview(form)
            form.is_valid()  # show the field errors next to the preview
        elif form.is_valid():
            try:
                saved = services.article_save(actor=_actor(request), data=_article_input(form), article=article)
            except FangxinError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已保存：{saved.title}。检查无误后请提交审核。")
                return redirect("content:staff_detail", pk=saved.pk)
        status = 422 if form.errors else 200
    return render(request, "content/staff_edit.html", {"form": form, "article": article, "preview": preview},
                  status=status)


@page_for(writes_content)
def article_new(request):
    return _edit(request)


@page_for(writes_content)
def article_edit(request, pk: int):
    article = selectors.article_get(request.user, pk)
    if not services.can_edit(request.user, article):
        messages.error(request, "该资讯当前不能修改（已提交、已发布，或不是本部门的资讯）。")
        return redirect("content:staff_detail", pk=article.pk)
    return _edit(request, article)


def _detail(request, pk: int, *, form: TransitionForm | None = None, status: int = 200):
    article = selectors.article_get(request.user, pk)
    reviewer = services.can_review(request.user, article)
    author_side = services.can_submit(request.user, article)
    actions = []
    for target in ARTICLE_FLOW.allowed(article.status):
        if (target in REVIEW_STEPS and reviewer) or (target == ArticleStatus.SUBMITTED and author_side):
            actions.append((target, ACTION_LABELS[target]))
    actions.sort(key=lambda a: list(ACTION_LABELS).index(a[0]))
    shown_body = article.published_body if article.status == ArticleStatus.PUBLISHED else mask_markdown(article.body)
    return render(request, "content/staff_detail.html", {
        "article": article, "events": article.events.all(), "actions": actions,
        "form": form or TransitionForm(auto_id="t-%s"), "body_html": render_markdown(shown_body),
        "masked": mask_preview(" ".join([article.title, article.summary, article.body])),
        "can_edit": services.can_edit(request.user, article), "reviewer": reviewer,
        "attachments": article.attachments.all(), "max_files": MAX_FILES}, status=status)


@require_POST
@page_for(writes_content)
def attachment_add(request, pk: int):
    article = selectors.article_get(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件。")
    else:
        try:
            stored = services.attachment_add(actor=_actor(request), article=article, upload=upload)
        except FangxinError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已添加附件：{stored.name}。")
    return redirect("content:staff_detail", pk=article.pk)


@require_POST
@page_for(writes_content)
def attachment_remove(request, pk: int, file_id: int):
    article = selectors.article_get(request.user, pk)
    attachment = article.attachments.filter(pk=file_id).first()
    if attachment is None:
        raise Http404
    try:
        services.attachment_remove(actor=_actor(request), attachment=attachment)
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除附件：{attachment.name}。")
    return redirect("content:staff_detail", pk=article.pk)


@page_for(reads_content)
def attachment_download(request, pk: int, file_id: int):
    article = selectors.article_get(request.user, pk)
    attachment = article.attachments.filter(pk=file_id).first()
    if attachment is None:
        raise Http404
    return uploads.serve(attachment.file, content_type=attachment.content_type, filename=attachment.name, inline=False)


@page_for(reads_content)
def article_detail(request, pk: int):
    return _detail(request, pk)


@require_POST
@page_for(writes_content)
def article_transition(request, pk: int):
    article = selectors.article_get(request.user, pk)
    form = TransitionForm(request.POST, auto_id="t-%s")
    if form.is_valid():
        target = form.cleaned_data["to_status"]
        try:
            services.article_transition(actor=_actor(request), article=article, to_status=target,
                                        reason=form.cleaned_data["reason"])
        except FangxinError as exc:
            form.add_error("reason" if exc.details.get("field") == "reason" else None, exc.message)
        else:
            messages.success(request, f"已{ACTION_LABELS[target]}：{article.title}。")
            return redirect("content:staff_detail", pk=article.pk)
    return _detail(request, pk, form=form, status=422)


# --- surveys ---------------------------------------------------------------------------------------------------

@page_for(reads_content)
def survey_list(request):
    return render(request, "content/staff_surveys.html", {
        "rows": selectors.surveys_visible(request.user)[:200], "can_write": writes_content(request.user)})


def _survey_input(form) -> services.SurveyInput:
    data = form.cleaned_data
    return services.SurveyInput(title=data["title"], sector=data["sector"], region=data["region"],
                                opens_on=data["opens_on"], closes_on=data["closes_on"], intro=data["intro"],
                                questions=data["questions"], allow_comment=data["allow_comment"])


def _survey_edit(request, survey=None):
    form = SurveyForm(request.POST or None, user=request.user, survey=survey)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.survey_save(actor=_actor(request), data=_survey_input(form), survey=survey)
            except FangxinError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已保存调查：{saved.title}。发布后公众即可在调查期内作答。")
                return redirect("content:staff_survey", pk=saved.pk)
        status = 422
    return render(request, "content/staff_survey_edit.html", {"form": form, "survey": survey}, status=status)


@page_for(writes_content)
def survey_new(request):
    return _survey_edit(request)


@page_for(writes_content)
def survey_edit(request, pk: int):
    survey = selectors.survey_get(request.user, pk)
    if survey.is_published:
        messages.error(request, "已发布的调查不能修改。")
        return redirect("content:staff_survey", pk=survey.pk)
    return _survey_edit(request, survey)


@page_for(reads_content)
def survey_detail(request, pk: int):
    survey = selectors.survey_get(request.user, pk)
    return render(request, "content/staff_survey.html", {
        "survey": survey, "results": selectors.survey_results(survey),
        "comments": list(selectors.survey_comments(survey)[:100]),
        "can_manage": services.can_manage_survey(request.user, survey)})


@require_POST
@page_for(writes_content)
def survey_publish(request, pk: int):
    survey = selectors.survey_get(request.user, pk)
    try:
        services.survey_publish(actor=_actor(request), survey=survey)
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已发布调查：{survey.title}。")
    return redirect("content:staff_survey", pk=survey.pk)


@page_for(reads_content)
def survey_export(request, pk: int):
    survey = selectors.survey_get(request.user, pk)
    data = exports.survey_xlsx(selectors.survey_results(survey))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
    return response
