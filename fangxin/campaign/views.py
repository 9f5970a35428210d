"""Enrollment pages for merchants and staff, and the public badge pages a consumer reaches by scanning."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import can_view_audit
from fangxin.core import cache as page_cache
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.credit.selectors import enrollment_blockers
from fangxin.merchants import selectors as entity_selectors
from fangxin.merchants.services import claim_decide, claim_submit
from fangxin.organisation.selectors import current_commitment, specific_commitment_list
from fangxin.workbench.decorators import page_for

from . import badge_keys, badges, exports, rendering, selectors, services
from .forms import (
    BadgeReportForm,
    ClaimDecisionForm,
    ClaimForm,
    EnrollmentForm,
    ReissueForm,
    RosterFilterForm,
    TransitionForm,
)


def is_merchant(user):
    return user.role == Role.MERCHANT


def is_staff(user):
    return user.role in STAFF_ROLES


def staff_or_auditor(user):
    return is_staff(user) or can_view_audit(user)


def can_enroll(user):
    return is_staff(user) or is_merchant(user)


def can_see_enrollments(user):
    return can_enroll(user) or can_view_audit(user)


def _form_error(form, exc: FangxinError):
    form.add_error(None, exc.message)


# --- merchant -------------------------------------------------------------------------------------------------

@page_for(is_merchant)
def merchant_home(request):
    bindings = list(entity_selectors.my_bindings(user=request.user))
    for binding in bindings:
        binding.enrollment = selectors.current_enrollment(binding.entity)
    return render(request, "campaign/merchant_home.html", {"bindings": bindings})


@page_for(is_merchant)
def claim(request):
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim_submit(actor=Actor.from_request(request), **form.cleaned_data)
        except FangxinError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "认领申请已提交，所在旗县区工作人员核实后即可办理创建登记。")
            return redirect("campaign:merchant_home")
    return render(request, "campaign/claim.html", {"form": form})


# --- staff: claims ---------------------------------------------------------------------------------------------

@page_for(is_staff)
def claims(request):
    return render(request, "campaign/claims.html", {"claims": entity_selectors.pending_claims(user=request.user),
                                                    "form": ClaimDecisionForm()})


@require_POST
@page_for(is_staff)
def claim_decision(request, pk: int):
    binding = entity_selectors.claim_get(user=request.user, pk=pk)  # NotFound is a 404
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结果。")
        return redirect("campaign:claims")
    try:
        claim_decide(actor=Actor.from_request(request), binding=binding, **form.cleaned_data)
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        verdict = "已确认" if form.cleaned_data["approve"] else "已驳回"
        messages.success(request, f"{binding.entity.name} 的认领{verdict}。")
    return redirect("campaign:claims")


# --- enrollment ------------------------------------------------------------------------------------------------

@page_for(can_enroll)
def enroll(request, uscc: str):
    entity = entity_selectors.entity_get(user=request.user, uscc=uscc)  # NotFound is a 404
    commitment = current_commitment()
    existing = selectors.current_enrollment(entity)
    form = EnrollmentForm(request.POST or None,
                          initial={"commitment_version": commitment.version if commitment else 0})
    if request.method == "POST" and form.is_valid() and existing is None:
        data = form.cleaned_data
        try:
            enrollment = services.enrollment_create(
                actor=Actor.from_request(request), entity=entity, commitment_version=data["commitment_version"],
                specific_codes=data["specific"], display_method=data["display_method"],
                signed_name=data["signed_name"], agreed=data["agreed"])
        except FangxinError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"登记成功！{entity.name} 已成为放心消费创建单位，请下载并张贴创建标志。")
            return redirect("campaign:enrollment_detail", serial=enrollment.serial)
    # Refusals known before anything is typed (joint-punishment rules) are shown at once, not after a submit.
    blockers = [] if existing else list(enrollment_blockers(entity))
    return render(request, "campaign/enroll.html", {"entity": entity, "commitment": commitment, "form": form,
                                                    "existing": existing, "blockers": blockers})


def _enrollment_or_404(request, serial):
    return selectors.enrollment_get(user=request.user, serial=serial)  # NotFound is a 404


@page_for(can_see_enrollments)
def enrollment_detail(request, serial: str):
    enrollment = _enrollment_or_404(request, serial)
    can_change = is_staff(request.user) or (is_merchant(request.user) and enrollment.is_current)
    return render(request, "campaign/enrollment_detail.html", {
        "enrollment": enrollment, "events": enrollment.events.all(),
        "specifics": enrollment.specific_commitments.all(),
        "transition_form": TransitionForm() if can_change else None, "reissue_form": ReissueForm(),
        "verification_url": rendering.verification_url(enrollment),
        "snippet": rendering.online_snippet(enrollment), "is_staff": is_staff(request.user),
    })


@require_POST
@page_for(can_enroll)
def enrollment_transition(request, serial: str):
    enrollment = _enrollment_or_404(request, serial)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择变更类型并填写原因。")
    else:
        try:
            services.enrollment_transition(actor=Actor.from_request(request), enrollment=enrollment,
                                           **form.cleaned_data)
        except FangxinError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "创建资格状态已更新，扫码核验页面即时显示新状态。")
    return redirect("campaign:enrollment_detail", serial=enrollment.serial)


@require_POST
@page_for(can_enroll)
def badge_reissue(request, serial: str):
    enrollment = _enrollment_or_404(request, serial)
    form = ReissueForm(request.POST)
    try:
        services.badge_reissue(actor=Actor.from_request(request), enrollment=enrollment,
                               reason=form.data.get("reason", ""))
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已补发新标志，原标志扫码将显示“已失效”。")
    return redirect("campaign:enrollment_detail", serial=enrollment.serial)


@page_for(can_see_enrollments)
def poster(request, serial: str):
    enrollment = _enrollment_or_404(request, serial)
    response = HttpResponse(rendering.poster_pdf(enrollment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="fangxin-poster-{enrollment.serial}.pdf"'
    return response


@page_for(can_see_enrollments)
def badge_png(request, serial: str):
    enrollment = _enrollment_or_404(request, serial)
    response = HttpResponse(rendering.badge_png(enrollment), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="fangxin-badge-{enrollment.serial}.png"'
    return response


@page_for(staff_or_auditor)
def roster(request):
    form = RosterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    enrollments = selectors.enrollment_roster(user=request.user, region_code=filters.get("region", ""),
                                              sector_code=filters.get("sector", ""),
                                              status=filters.get("status", ""), query=filters.get("q", ""))
    if request.GET.get("format") == "xlsx":
        return exports.roster_xlsx_response(enrollments)
    from django.core.paginator import Paginator

    return render(request, "campaign/roster.html", {
        "form": form, "page": Paginator(enrollments, 25).get_page(request.GET.get("page")),
        "counts": selectors.roster_counts(enrollments), "query_string": request.GET.urlencode()})


@page_for(staff_or_auditor)
def badge_reports(request):
    return render(request, "campaign/badge_reports.html", {"reports": selectors.badge_reports(user=request.user)[:200]})


# --- public ---------------------------------------------------------------------------------------------------

def _claimed_uscc(token: str) -> str:
    """The USCC a token claims, read without checking its signature — only to find the page's cache version. A
    cached page exists only for a token whose signature was checked when it was stored (under this keyring)."""
    try:
        payload = json.loads(badge_keys.b64url_decode(badges.extract_token(token).split(".")[0]))
    except (ValueError, UnicodeDecodeError, AttributeError, IndexError):
        return ""
    uscc = payload.get("u") if isinstance(payload, dict) else None
    return uscc if isinstance(uscc, str) and len(uscc) == 18 else ""


def verify(request, token: str):
    """The scan page. A genuine badge's page is cached under its business's version (fangxin.core.cache), so a
    status change is seen by the next scan; counterfeit and unknown badges are rendered each time and never stored
    (nothing to flood the cache with)."""
    keyring = badge_keys.load_keyring()

    def render_page(extra):
        check = services.badge_check(token)
        response = render(request, "campaign/verify.html", {
            "check": check, "enrollment": check.enrollment, "token": token, "form": BadgeReportForm(),
            "specifics": check.enrollment.specific_commitments.all() if check.enrollment else [], **extra,
        }, status=200)
        response.page_cache_skip = check.enrollment is None or not check.genuine
        return response

    uscc = _claimed_uscc(token)
    if not uscc:
        return render_page({})
    # The keyring's key ids are in the cache key: removing a key (a leak) turns its badges' pages over at once.
    return page_cache.cached_page(request, kind="verify", uscc=uscc, render=render_page,
                                  parts=(token, ",".join(sorted(keyring.private))))


@require_POST
def verify_report(request, token: str):
    form = BadgeReportForm(request.POST)
    if form.is_valid():
        try:
            services.badge_report_create(actor=Actor.from_request(request), token=token, **form.cleaned_data)
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "campaign/report_done.html", {"token": token})
    check = services.badge_check(token)
    return render(request, "campaign/verify.html", {
        "check": check, "enrollment": check.enrollment, "token": token, "form": form, "open_report": True,
        "specifics": check.enrollment.specific_commitments.all() if check.enrollment else []}, status=400)


@cache_control(public=True, max_age=300)
def badge_keys_document(request):
    return JsonResponse(badge_keys.load_keyring().published(), json_dumps_params={"ensure_ascii": False})


def public_badge_svg(request, serial: str):
    """The badge image embedded by web shops. Only current enrollments have one."""
    from .models import Enrollment

    enrollment = Enrollment.objects.current().select_related("entity").filter(serial=serial.upper()).first()
    if enrollment is None:
        raise Http404
    response = HttpResponse(rendering.badge_svg(enrollment), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # web shops on other sites embed it
    return response


def profile(request, uscc: str):
    from fangxin.alerts.selectors import prepaid_for_profile
    from fangxin.credit import rules as credit_rules
    from fangxin.credit import selectors as credit_selectors

    def render_page(extra):
        entity = entity_selectors.entity_public_get(uscc)  # NotFound is a 404
        # Public credit facts only: the grade letter, the current list entries (public decisions) and the warnings
        # the joint-punishment rules require; the score and the ledger behind it stay with the business and staff.
        return render(request, "campaign/profile.html", {
            "entity": entity, "enrollment": selectors.current_enrollment(entity),
            "history": selectors.enrollment_history(entity), "specific_all": specific_commitment_list(),
            "credit_grade": credit_selectors.grade_of(entity),
            "credit_entries": list(credit_selectors.current_entries(entity).order_by("-entered_on")),
            "credit_warnings": credit_rules.profile_warnings(entity),
            "prepaid": prepaid_for_profile(entity), **extra})

    # Cached under the business's version (fangxin.core.cache); an unknown code is a 404 and never cached.
    return page_cache.cached_page(request, kind="profile", uscc=(uscc or "").strip().upper(), parts=(),
                                  render=render_page)
