"""Public pages: articles (/zixun/) and satisfaction surveys (/diaocha/). Phone first, no script needed.

A survey is answered anonymously: the browser gets a random cookie on first view, and one answer per cookie is
accepted (the database keeps only a hash of it); answers from one address are also rate-limited per hour."""

import secrets

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from fangxin.core import uploads
from fangxin.core.actors import client_ip_of
from fangxin.core.exceptions import FangxinError

from . import selectors, services, throttle
from .choices import KIND_SLUGS, RATING_LABELS, SLUG_KINDS, ArticleKind, QuestionKind, SurveyState
from .models import Response
from .rendering import render_markdown

PAGE_SIZE = 20
DEVICE_COOKIE = "fx_survey_device"
COOKIE_AGE = 2 * 365 * 24 * 3600


def _kinds():
    return [(KIND_SLUGS[kind], label) for kind, label in ArticleKind.choices]


def article_list(request, slug: str = ""):
    kind = ""
    if slug:
        kind = SLUG_KINDS.get(slug)
        if kind is None:
            raise Http404
    q = (request.GET.get("q") or "").strip()[:50]
    rows = selectors.public_articles(kind=kind, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "content/public_list.html", {
        "page": page, "q": q, "kind": kind, "kind_label": ArticleKind(kind).label if kind else "", "slug": slug,
        "kinds": _kinds()})


def article_detail(request, pk: int):
    article = selectors.public_article(pk)
    return render(request, "content/public_detail.html", {
        "article": article, "body_html": render_markdown(article.published_body),
        "attachments": article.attachments.all()})


def attachment_download(request, pk: int, file_id: int):
    """A published article's attachment; nothing of a draft, a submitted or a withdrawn article."""
    article = selectors.public_article(pk)
    attachment = article.attachments.filter(pk=file_id).first()
    if attachment is None:
        raise Http404
    return uploads.serve(attachment.file, content_type=attachment.content_type, filename=attachment.name, inline=False)


def survey_list(request):
    surveys = list(selectors.public_surveys()[:100])
    return render(request, "content/survey_list.html", {
        "open": [s for s in surveys if s.state() == SurveyState.OPEN],
        "closed": [s for s in surveys if s.state() == SurveyState.CLOSED],
        "scheduled": [s for s in surveys if s.state() == SurveyState.SCHEDULED]})


def _device(request) -> str:
    return request.COOKIES.get(DEVICE_COOKIE, "")


def survey_detail(request, pk: int):
    survey = selectors.public_survey(pk)
    state = survey.state()
    context = {"survey": survey, "state": state, "questions": list(survey.questions.all()), "errors": {},
               "values": {}, "error": ""}
    status = 200
    token = _device(request) or secrets.token_urlsafe(24)
    if state == SurveyState.CLOSED:
        context["results"] = selectors.survey_results(survey)
    elif state == SurveyState.OPEN:
        answered = Response.objects.filter(survey=survey, device=services.device_digest(token)).exists()
        context["answered"] = answered
        if request.method == "POST" and not answered:
            status = _answer(request, survey, context)
            if status == 303:
                return redirect("content:survey_thanks", pk=survey.pk)
        context["items"] = _items(context)
    response = render(request, "content/survey_detail.html", context, status=status)
    if not _device(request):
        response.set_cookie(DEVICE_COOKIE, token, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                            secure=request.is_secure())
    return response


def _items(context) -> list[dict]:
    """Each question with its (value, label, checked) choices, keeping what was ticked when the page is shown
    again with a message."""
    items = []
    for question in context["questions"]:
        if question.kind == QuestionKind.RATING:
            pairs = [(v, f"{v} 分 · {RATING_LABELS[v]}") for v in range(5, 0, -1)]
        else:
            pairs = list(enumerate(question.options, 1))
        chosen = context["values"].get(question.pk, "")
        items.append({"question": question, "error": context["errors"].get(question.pk, ""),
                      "pairs": [(v, label, str(v) == chosen) for v, label in pairs]})
    return items


def _answer(request, survey, context) -> int:
    answers, values = {}, {}
    for question in context["questions"]:
        raw = request.POST.get(f"q{question.pk}", "")
        values[question.pk] = raw
        if raw.isdigit():
            answers[question.pk] = int(raw)
    context["values"] = values
    context["comment"] = request.POST.get("comment", "")[:services.COMMENT_LIMIT + 100]
    if not throttle.allow(client_ip_of(request)):
        context["error"] = "提交过于频繁，请一小时后再试。"
        return 429
    try:
        services.survey_answer(survey=survey, device_token=_device(request), answers=answers,
                               comment=request.POST.get("comment", ""))
    except FangxinError as exc:
        field = exc.details.get("field", "")
        if field.startswith("q") and field[1:].isdigit():
            context["errors"][int(field[1:])] = exc.message
        context["error"] = exc.message
        if exc.code == "already_answered":
            context["answered"] = True
        return 409 if exc.code == "already_answered" else 422
    return 303


def survey_thanks(request, pk: int):
    survey = selectors.public_survey(pk)
    return render(request, "content/survey_thanks.html", {"survey": survey})
