"""The merchant's demonstration-title pages (phone first): what each of its businesses may apply for and why
not, the self-assessment against the published standard with evidence files, and each application's status,
timeline, result, withdrawal, certificate and the next level."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import Role
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound
from fangxin.merchants import selectors as entity_selectors
from fangxin.workbench.decorators import page_for

from . import selectors, services
from .choices import ApplicationStatus, TitleLevel, TitleStatus, next_level
from .flows import APPLICATION_FLOW
from .forms_merchant import ApplyForm, WithdrawForm

DECIDED = (ApplicationStatus.PASSED, ApplicationStatus.FAILED, ApplicationStatus.PUBLICITY, ApplicationStatus.AWARDED,
           ApplicationStatus.REMOVED, ApplicationStatus.REVOKED)


def is_merchant(user) -> bool:
    return user.role == Role.MERCHANT


def certificate_url(title) -> str | None:
    """The certificate download (a page of the review part); None while that page is not installed."""
    try:
        return reverse("campaign:certificate", args=[title.pk])
    except NoReverseMatch:
        return None


@page_for(is_merchant)
def my_applications(request):
    return render(request, "campaign/titles/merchant/list.html", {"rows": selectors.merchant_titles(request.user),
                                                                  "cycle": services.open_cycle()})


def _evidence_limits() -> dict:
    return {"max_files": settings.FANGXIN_EVIDENCE_MAX_FILES,
            "max_mb": settings.FANGXIN_EVIDENCE_MAX_BYTES // (1024 * 1024)}


@page_for(is_merchant)
def title_apply(request, uscc: str, level: str):
    if level not in TitleLevel.values:
        raise NotFound("没有该级别。")
    entity = entity_selectors.entity_get(user=request.user, uscc=uscc)  # not the merchant's own: 404
    standard = selectors.standards(sector=entity.sector, level=level).first()
    blocker = selectors.apply_blocker(entity, level)
    form = ApplyForm(standard, request.POST or None) if standard is not None else None
    error, had_files = "", request.method == "POST" and bool(request.FILES)
    if request.method == "POST" and form is not None and form.is_valid():
        cycle = services.open_cycle()
        try:
            application = services.application_submit(
                actor=Actor.from_request(request), entity=entity, level=level, self_scores=form.self_scores(),
                statement=form.cleaned_data["statement"], files=request.FILES.getlist("files"),
                recommended_by=selectors.recommendation_for(entity, level, cycle))
        except FangxinError as exc:
            error = exc.message
        else:
            messages.success(request, f"申报已提交：{entity.name}申报{TitleLevel(level).label}放心消费示范单位，"
                                      "等待行业牵头部门和消费者协会评审。")
            return redirect("campaign:my_application", pk=application.pk)
    elif request.method == "POST" and form is None:
        error = blocker or "该行业、该级别的评价标准尚未发布，暂不能申报。"
    return render(request, "campaign/titles/merchant/apply.html", {
        "entity": entity, "level": level, "level_label": TitleLevel(level).label, "standard": standard,
        "blocker": blocker if request.method == "GET" else "", "form": form, "error": error,
        "had_files": had_files, **_evidence_limits()})


def _detail(request, application, withdraw_form=None):
    title = getattr(application, "title", None) if application.status in (
        ApplicationStatus.AWARDED, ApplicationStatus.REVOKED) else None
    upper = next_level(application.level)
    next_apply = None
    if title is not None and title.status == TitleStatus.VALID and upper is not None:
        next_apply = {"label": f"申报{TitleLevel(upper).label}",
                      "url": reverse("campaign:title_apply", args=[application.entity.uscc, upper]),
                      "reason": selectors.apply_blocker(application.entity, upper)}
    return render(request, "campaign/titles/merchant/detail.html", {
        "application": application, "events": application.events.all(),
        "reviews": application.reviews.all() if application.status in DECIDED else [],
        "reviews_in": application.reviews.count(), "decided": application.status in DECIDED,
        "objections": selectors.application_objections(application),
        "evidence": application.evidence.all(),
        "can_withdraw": APPLICATION_FLOW.can(application.status, ApplicationStatus.WITHDRAWN),
        "withdraw_form": withdraw_form or WithdrawForm(), "title": title,
        "certificate_url": certificate_url(title) if title is not None else None, "next_apply": next_apply,
    })


@page_for(is_merchant)
def my_application(request, pk: int):
    return _detail(request, selectors.application_get(request.user, pk))  # another business's: 404


@require_POST
@page_for(is_merchant)
def my_application_withdraw(request, pk: int):
    application = selectors.application_get(request.user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail(request, application, withdraw_form=form)
    try:
        services.application_withdraw(actor=Actor.from_request(request), application=application,
                                      reason=form.cleaned_data["reason"])
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "申报已撤回。本年度可在申报期内重新申报其他级别；同一级别不能再次申报。")
    return redirect("campaign:my_application", pk=application.pk)
