"""Staff pages of the demonstration titles: the applications and their two sign-offs (lead department and
consumer association), conflicts of interest, publicity with objections, the award and the certificates.

Views parse, call one service or selector and render. A domain error becomes a Chinese message on the page,
never a 500; an object out of the user's scope is a 404, as for a missing one."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core import uploads
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, PermissionDenied
from fangxin.workbench.decorators import page_for

from . import certificate, selectors, services
from .choices import ApplicationStatus, ItemKind, ObjectionStatus, ReviewerRole, TitleLevel, TitleStatus
from .forms_review import (
    ApplicationFilterForm,
    ConflictForm,
    ObjectionAnswerForm,
    PublicityOpenForm,
    ReviewForm,
    TitleFilterForm,
)
from .models import Objection, Publicity, Title

PAGE_SIZE = 25
REVIEWERS = frozenset({Role.DEPARTMENT_STAFF, Role.CONSUMER_ASSOCIATION})
PUBLISHERS = frozenset({Role.JOINT_OFFICE, Role.CONSUMER_ASSOCIATION})
ANSWERERS = PUBLISHERS | {Role.DEPARTMENT_STAFF}
OPEN_FOR_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.REVIEWING)


def is_staff(user) -> bool:
    return user.role in STAFF_ROLES


def staff_or_auditor(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS


def may_hold_certificate(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS | {Role.MERCHANT}


def _actor(request) -> Actor:
    return Actor.from_request(request)


# --- reads built on the scoped selectors ------------------------------------------------------------------

def publicities_visible(user):
    """Publicities with at least one candidate the user may see."""
    visible = selectors.applications_visible(user).values("pk")
    return (Publicity.objects.filter(candidates__in=visible).distinct().select_related("cycle", "region")
            .annotate(candidate_count=Count("candidates", distinct=True)))


def publicity_get(user, pk: int) -> Publicity:
    publicity = publicities_visible(user).filter(pk=pk).first()
    if publicity is None:
        raise Http404
    return publicity


def waiting_groups(user, cycle) -> list[dict]:
    """Passed candidates of the open cycle waiting for publicity, per level and region."""
    if cycle is None:
        return []
    rows = (selectors.applications_visible(user).filter(cycle=cycle, status=ApplicationStatus.PASSED)
            .values("level", "region__code", "region__name").annotate(n=Count("id")).order_by("level", "region__code"))
    return [{"level": row["level"], "level_label": TitleLevel(row["level"]).label, "region_code": row["region__code"],
             "region_name": row["region__name"], "count": row["n"]} for row in rows]


def title_display_status(title: Title, today) -> tuple[str, str]:
    """(label, tone): a valid title past its date reads 已到期."""
    if title.status == TitleStatus.VALID and title.valid_until < today:
        return TitleStatus.EXPIRED.label, "muted"
    tone = {TitleStatus.VALID: "success", TitleStatus.REVOKED: "danger"}.get(title.status, "muted")
    return title.get_status_display(), tone


# --- applications -----------------------------------------------------------------------------------------

@page_for(staff_or_auditor)
def applications(request):
    reviewer = request.user.role in REVIEWERS
    tab = request.GET.get("tab") if reviewer else "all"
    if tab not in ("mine", "all"):
        tab = "mine"
    form = ApplicationFilterForm(request.GET or None, user=request.user)
    rows = selectors.review_queue(request.user) if tab == "mine" else form.filter(
        selectors.applications_visible(request.user).order_by("-cycle__year", "level", "-id"))
    rows = rows.select_related("entity__region")
    query = request.GET.copy()
    for key in ("page", "tab"):
        query.pop(key, None)
    return render(request, "campaign/titles/review/applications.html", {
        "form": form, "tab": tab, "reviewer": reviewer, "filter_query": query.urlencode(),
        "queue_count": selectors.review_queue(request.user).count() if reviewer else None,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
    })


def _review_state(user, application) -> dict:
    """What the user may do on this application: review (their role), or why not."""
    if user.role not in REVIEWERS:
        return {"role": None, "why": ""}
    try:
        role = services.reviewer_role(user, application)
    except PermissionDenied as exc:
        return {"role": None, "why": exc.message, "conflict": "利益冲突" in exc.message}
    signed = application.reviews.filter(role=role).first()
    if signed is not None:
        return {"role": role, "why": f"{ReviewerRole(role).label}已于 {timezone.localtime(signed.signed_at):%Y-%m-%d %H:%M}"
                                     f" 签署评审意见。"}
    if application.status not in OPEN_FOR_REVIEW:
        return {"role": role, "why": f"该申报当前为“{application.get_status_display()}”，不在评审阶段。"}
    return {"role": role, "role_label": ReviewerRole(role).label, "why": "", "may_review": True}


def _item_rows(application, reviews, form) -> list[dict]:
    rows = []
    for item in application.standard.items.select_related("dimension").all():
        key = str(item.seq)
        row = {"item": item, "self_score": application.self_scores.get(key), "reviews": []}
        for review in reviews:
            row["reviews"].append({"score": review.scores.get(key), "comment": review.comments.get(key, ""),
                                   "vetoed": item.seq in (review.vetoes or [])})
        if form is not None:
            row["field"], row["comment_field"] = form.item_fields(item)
        rows.append(row)
    return rows


def _detail(request, application, *, review_form=None, conflict_form=None, error: str = "", status: int = 200):
    state = _review_state(request.user, application)
    if state.get("may_review"):
        review_form = review_form or ReviewForm(standard=application.standard)
        conflict_form = conflict_form or ConflictForm()
    else:
        review_form = conflict_form = None
    reviews = list(application.reviews.select_related("reviewer").order_by("signed_at"))
    return render(request, "campaign/titles/review/application_detail.html", {
        "application": application, "reviews": reviews, "rows": _item_rows(application, reviews, review_form),
        "review_form": review_form, "conflict_form": conflict_form, "state": state, "error": error,
        "evidence": application.evidence.order_by("id"), "events": application.events.all(),
        "objections": application.objections.all() if request.user.role in STAFF_ROLES | AUDIT_READERS else (),
        "veto": ItemKind.VETO,
    }, status=status)


@page_for(staff_or_auditor)
def application_detail(request, pk: int):
    return _detail(request, selectors.application_get(request.user, pk))


@require_POST
@page_for(is_staff)
def application_review(request, pk: int):
    application = selectors.application_get(request.user, pk)
    form = ReviewForm(request.POST, standard=application.standard)
    if not form.is_valid():
        return _detail(request, application, review_form=form, error="请检查标出的项目。", status=422)
    try:
        services.review_sign(actor=_actor(request), application=application, scores=form.scores(),
                             decision=form.cleaned_data["decision"], opinion=form.cleaned_data["opinion"],
                             comments=form.comments())
    except FangxinError as exc:
        application = selectors.application_get(request.user, pk)
        return _detail(request, application, review_form=form, error=exc.message, status=exc.status)
    application.refresh_from_db()
    messages.success(request, f"评审意见已签署。申报状态：{application.get_status_display()}。")
    return redirect("campaign:application_detail", pk=pk)


@require_POST
@page_for(is_staff)
def conflict_declare(request, pk: int):
    application = selectors.application_get(request.user, pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return _detail(request, application, conflict_form=form, error="请填写与该单位的关系说明。", status=422)
    try:
        services.conflict_declare(actor=_actor(request), entity=application.entity, reason=form.cleaned_data["reason"])
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已声明与{application.entity.name}存在利益冲突，您将不再评审该单位的申报。")
    return redirect("campaign:application_detail", pk=pk)


@page_for(staff_or_auditor)
def application_evidence(request, pk: int, file_pk: int):
    application = selectors.application_get(request.user, pk)
    stored = application.evidence.filter(pk=file_pk).first()
    if stored is None:
        raise Http404
    return uploads.serve(stored.file, content_type=stored.content_type, filename=stored.original_name)


# --- publicity, objections, award -------------------------------------------------------------------------

@page_for(staff_or_auditor)
def publicities(request):
    cycle = services.open_cycle()
    can_publish = request.user.role in PUBLISHERS
    groups = waiting_groups(request.user, cycle)
    today = timezone.localdate()
    return render(request, "campaign/titles/review/publicities.html", {
        "cycle": cycle, "groups": groups, "can_publish": can_publish, "today": today,
        "publicities": publicities_visible(request.user).order_by("-starts_on", "-id")[:200],
    })


@require_POST
@page_for(is_staff)
def publicity_new(request):
    form = PublicityOpenForm(request.POST, user=request.user)
    cycle = services.open_cycle()
    if cycle is None:
        messages.error(request, "当前没有进行中的创建年度。")
        return redirect("campaign:publicities")
    if not form.is_valid():
        messages.error(request, "请选择级别、地区和公示开始日期（地区须在您的管辖范围内）。")
        return redirect("campaign:publicities")
    try:
        publicity = services.publicity_open(actor=_actor(request), cycle=cycle, level=form.cleaned_data["level"],
                                            region=form.chosen_region(), starts_on=form.cleaned_data["starts_on"])
    except FangxinError as exc:
        messages.error(request, exc.message)
        return redirect("campaign:publicities")
    messages.success(request, f"公示已发布：{publicity.starts_on:%Y-%m-%d} 至 {publicity.ends_on:%Y-%m-%d}。")
    return redirect("campaign:publicity_detail", pk=publicity.pk)


def _award_blockers(publicity, pending: int, today) -> list[str]:
    if publicity.closed_at is not None:
        return [f"已于 {timezone.localtime(publicity.closed_at):%Y-%m-%d} 授牌。"]
    reasons = []
    if today <= publicity.ends_on:
        reasons.append(f"公示期至 {publicity.ends_on:%Y-%m-%d}，期满后（{publicity.ends_on:%Y-%m-%d} 之后）才能授牌。")
    if pending:
        reasons.append(f"还有 {pending} 件异议未答复，答复后才能授牌。")
    return reasons


@page_for(staff_or_auditor)
def publicity_detail(request, pk: int):
    publicity = publicity_get(request.user, pk)
    visible = selectors.applications_visible(request.user).values("pk")
    objections = list(Objection.objects.filter(application__publicity=publicity, application__in=visible)
                      .select_related("application__entity").order_by("created_at"))
    may_answer = request.user.role in ANSWERERS
    for objection in objections:
        objection.answer_form = (ObjectionAnswerForm(prefix=f"o{objection.pk}")
                                 if may_answer and objection.status == ObjectionStatus.PENDING else None)
    today = timezone.localdate()
    pending = selectors.unanswered_objections(publicity)
    return render(request, "campaign/titles/review/publicity_detail.html", {
        "publicity": publicity, "candidates": selectors.publicity_candidates(publicity), "objections": objections,
        "pending": pending, "today": today, "can_award": request.user.role in PUBLISHERS,
        "award_blockers": _award_blockers(publicity, pending, today),
        "current": publicity.starts_on <= today <= publicity.ends_on,
    })


@require_POST
@page_for(is_staff)
def objection_answer(request, pk: int):
    visible = selectors.applications_visible(request.user).values("pk")
    objection = Objection.objects.filter(pk=pk, application__in=visible).select_related("application").first()
    if objection is None or objection.application.publicity_id is None:
        raise Http404
    form = ObjectionAnswerForm(request.POST, prefix=f"o{objection.pk}")
    if not form.is_valid():
        messages.error(request, f"异议 {objection.reference_no}：请选择答复结论并填写答复内容。")
    else:
        try:
            services.objection_answer(actor=_actor(request), objection=objection, upheld=form.cleaned_data["upheld"],
                                      answer=form.cleaned_data["answer"])
        except FangxinError as exc:
            messages.error(request, exc.message)
        else:
            outcome = "异议成立，已取消该单位的候选资格" if form.cleaned_data["upheld"] else "异议不成立"
            messages.success(request, f"异议 {objection.reference_no} 已答复：{outcome}。")
    return redirect("campaign:publicity_detail", pk=objection.application.publicity_id)


@page_for(staff_or_auditor)
def objection_evidence(request, pk: int):
    visible = selectors.applications_visible(request.user).values("pk")
    objection = Objection.objects.filter(pk=pk, application__in=visible).first()
    if objection is None or not objection.evidence:
        raise Http404
    stored_name = objection.evidence.name.rsplit("/", 1)[-1]
    return uploads.serve(objection.evidence, content_type=uploads.kind_of_stored(stored_name),
                         filename=f"{objection.reference_no}-{stored_name}", inline=False)


@require_POST
@page_for(is_staff)
def publicity_award(request, pk: int):
    publicity = publicity_get(request.user, pk)
    try:
        titles = services.publicity_award(actor=_actor(request), publicity=publicity)
    except FangxinError as exc:
        messages.error(request, exc.message)
        return redirect("campaign:publicity_detail", pk=pk)
    if titles:
        messages.success(request, f"已授牌 {len(titles)} 家：" + "、".join(
            f"{t.entity.name}（证书编号 {t.certificate_no}）" for t in titles))
    else:
        messages.info(request, "公示已办结，没有可授牌的候选单位。")
    return redirect(reverse("campaign:titles") + f"?year={publicity.cycle.year}")


# --- titles and certificates ------------------------------------------------------------------------------

@page_for(staff_or_auditor)
def titles(request):
    today = timezone.localdate()
    form = TitleFilterForm(request.GET or None)
    rows = form.filter(Title.objects.visible_to(request.user).select_related("entity", "entity__region", "region")
                       .order_by("-year", "level", "certificate_no"), today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for title in page:
        title.display_status, title.display_tone = title_display_status(title, today)
    return render(request, "campaign/titles/review/titles.html", {"form": form, "page": page})


@page_for(may_hold_certificate)
def certificate_pdf(request, pk: int):
    title = Title.objects.visible_to(request.user).select_related("entity", "region").filter(pk=pk).first()
    if title is None:
        raise Http404
    response = HttpResponse(certificate.render_certificate(title), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{title.certificate_no}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
