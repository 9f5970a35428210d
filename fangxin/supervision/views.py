"""Supervision pages: the task board (task × assignee), a task's detail with each assignee's timeline and the
progress / report-done / confirm / return actions, the office's new-task form, and the county evaluation
(ranking with breakdown, the office's weights, publication, XLSX and PDF).

Views parse, call one service or selector and render; a domain error becomes a Chinese message on the page.
A page a role may not use answers 404, as for a page that does not exist."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangxin.accounts.choices import STAFF_ROLES, Role
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core import uploads
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, ValidationFailed
from fangxin.workbench.decorators import page_for

from . import exports, selectors, services
from .choices import AssignmentStatus, SchemeStatus
from .flows import ASSIGNMENT_FLOW, PROGRESS_FROM
from .forms import BoardFilterForm, NoteForm, ProgressForm, SchemeForm, TaskForm


def reads_board(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS


def is_office(user) -> bool:
    return user.role == Role.JOINT_OFFICE


def _actor(request) -> Actor:
    return Actor.from_request(request)


# --- tasks -----------------------------------------------------------------------------------------------------

@page_for(reads_board)
def board(request):
    form = BoardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {"status": "", "overdue": False}
    rows = selectors.board(request.user, status=filters["status"], overdue_only=filters["overdue"])
    return render(request, "supervision/board.html", {"form": form, "rows": rows, "today": timezone.localdate(),
                                                      "can_assign": is_office(request.user)})


@page_for(is_office)
def task_new(request):
    form = TaskForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = services.TaskInput(
                title=form.cleaned_data["title"], description=form.cleaned_data["description"],
                basis=form.cleaned_data["basis"], due_on=form.cleaned_data["due_on"],
                department_ids=tuple(d.pk for d in form.cleaned_data["departments"]),
                region_ids=tuple(r.pk for r in form.cleaned_data["regions"]))
            try:
                task = services.task_create(actor=_actor(request), data=data)
            except FangxinError as exc:
                field = exc.details.get("field")
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, f"已交办督导任务：{task.title}。")
                return redirect("supervision:task", pk=task.pk)
        status = 422
    return render(request, "supervision/task_form.html", {"form": form}, status=status)


def _task_page(request, pk: int, *, forms: dict | None = None, status: int = 200):
    task, assignments = selectors.task_get(request.user, pk)
    office = is_office(request.user)
    today = timezone.localdate()
    cards = []
    for a in assignments:
        mine = services.is_assignee(request.user, a)
        cards.append({
            "a": a, "overdue": a.is_overdue(today),
            "can_progress": mine and a.status in PROGRESS_FROM,
            "can_submit": mine and ASSIGNMENT_FLOW.can(a.status, AssignmentStatus.SUBMITTED),
            "can_review": office and a.status == AssignmentStatus.SUBMITTED,
            "progress_form": (forms or {}).get(("progress", a.pk)) or ProgressForm(auto_id=f"p{a.pk}-%s"),
            "note_form": (forms or {}).get(("note", a.pk)) or NoteForm(auto_id=f"n{a.pk}-%s"),
        })
    return render(request, "supervision/task.html", {"task": task, "cards": cards, "today": today}, status=status)


@page_for(reads_board)
def task_detail(request, pk: int):
    return _task_page(request, pk)


ACTIONS = frozenset({"progress", "submit", "confirm", "return"})


@require_POST
@page_for(reads_board)
def assignment_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    assignment = selectors.assignment_get(request.user, pk)
    actor = _actor(request)
    if action == "progress":
        form = ProgressForm(request.POST, request.FILES, auto_id=f"p{pk}-%s")
        key = ("progress", pk)
    else:
        form = NoteForm(request.POST, auto_id=f"n{pk}-%s")
        key = ("note", pk)
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if action == "progress":
                services.progress_report(actor=actor, assignment=assignment, note=note,
                                         percent=form.cleaned_data["percent"],
                                         attachment=form.cleaned_data["attachment"])
                done = f"已报送进展（{form.cleaned_data['percent']}%）"
            elif action == "submit":
                services.assignment_submit(actor=actor, assignment=assignment, note=note)
                done = "已报告完成，等待联席会议办公室确认"
            elif action == "confirm":
                services.assignment_confirm(actor=actor, assignment=assignment, note=note)
                done = f"已确认{assignment.assignee_name}办结"
            else:
                services.assignment_return(actor=actor, assignment=assignment, reason=note)
                done = f"已退回{assignment.assignee_name}"
        except FangxinError as exc:
            field = exc.details.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{done}：{assignment.task.title}。")
            return redirect("supervision:task", pk=assignment.task_id)
    return _task_page(request, assignment.task_id, forms={key: form}, status=422)


@page_for(reads_board)
def attachment(request, pk: int):
    event = selectors.event_attachment(request.user, pk)
    return uploads.serve(event.attachment, content_type=uploads.kind_of_stored(event.attachment.name),
                         filename=event.attachment_name or "附件", inline=False)


# --- the county evaluation -------------------------------------------------------------------------------------

@page_for(reads_board)
def evaluation_index(request):
    return redirect("supervision:evaluation", year=timezone.localdate().year)


def _evaluation_context(request, year: int, form=None) -> dict:
    selectors.check_year(year)
    scheme = selectors.scheme_for(year)
    rows = selectors.ranking(year)
    office = is_office(request.user)
    editable = office and (scheme is None or not scheme.is_published)
    if editable and form is None:
        form = SchemeForm(scheme=scheme)
    years = sorted({year, timezone.localdate().year, *selectors.scheme_years()},
                   reverse=True)
    return {"year": year, "scheme": scheme, "rows": rows, "headers": rows[0].parts if rows else [],
            "form": form if editable else None, "can_publish": office and scheme is not None and not scheme.is_published,
            "years": years, "published": scheme is not None and scheme.is_published}


@page_for(reads_board)
def evaluation(request, year: int):
    selectors.check_year(year)
    status = 200
    form = None
    if request.method == "POST":
        if not is_office(request.user):
            return redirect("supervision:evaluation", year=year)
        scheme = selectors.scheme_for(year)
        form = SchemeForm(request.POST, scheme=scheme)
        if form.is_valid():
            try:
                actor = _actor(request)
                scheme = scheme or services.scheme_ensure(actor=actor, year=year)
                services.scheme_update(actor=actor, scheme=scheme, rows=form.rows())
            except FangxinError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{year} 年度评价方案已保存。")
                return redirect("supervision:evaluation", year=year)
        status = 422
    return render(request, "supervision/evaluation.html", _evaluation_context(request, year, form), status=status)


@require_POST
@page_for(is_office)
def evaluation_publish(request, year: int):
    scheme = selectors.scheme_for(year)
    try:
        if scheme is None:
            raise ValidationFailed("请先保存该年度的评价方案。")
        services.scheme_publish(actor=_actor(request), scheme=scheme)
    except FangxinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{year} 年度评价结果已发布，方案已锁定。")
    return redirect("supervision:evaluation", year=year)


def _status_label(year: int) -> str:
    scheme = selectors.scheme_for(year)
    return str(SchemeStatus.PUBLISHED.label) if scheme and scheme.is_published else "未发布，按当前数据计算"


@page_for(reads_board)
def evaluation_xlsx(request, year: int):
    data = exports.ranking_xlsx(year, selectors.ranking(year), status_label=_status_label(year))
    response = HttpResponse(data, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="evaluation-{year}.xlsx"'
    return response


@page_for(reads_board)
def evaluation_pdf(request, year: int):
    data = exports.ranking_pdf(year, selectors.ranking(year), status_label=_status_label(year))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{year}.pdf"'
    return response
