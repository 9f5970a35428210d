"""Tasks and assignments: who may assign, report and confirm; the state machine (also property-based);
overdue derived from the due date; reminders idempotent per day; audit and notifications after commit."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord, Notification
from fangxin.core.tests import samples
from fangxin.organisation.models import Department, Region
from fangxin.supervision import selectors, services
from fangxin.supervision.choices import AssignmentStatus as S
from fangxin.supervision.flows import ASSIGNMENT_FLOW
from fangxin.supervision.models import Assignment, Task

from .factories import make_task

pytestmark = pytest.mark.django_db


def actor(user):
    return Actor.for_user(user)


def heads(users, *names):
    for name in names:
        user = users[name]
        user.is_unit_head, user.phone = True, f"1380000{len(name):04d}"
        user.save()


def test_office_assigns_one_assignment_per_assignee_with_audit_and_notifications(users, django_capture_on_commit_callbacks):
    heads(users, "county_a", "department")
    region = Region.objects.get(code="150802")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        task = services.task_create(actor=actor(users["office"]), data=services.TaskInput(
            title="制定行业评价标准", description="制定本行业评价标准。", due_on=timezone.localdate() + timedelta(days=30),
            department_ids=(Department.objects.get(code="fda").pk,), region_ids=(region.pk,)))
        assert Notification.objects.count() == 0  # nothing before the commit
    assert len(callbacks) == 1
    assert sorted(a.assignee_name for a in task.assignments.all()) == ["临河区", "市食药监局"]
    assert all(a.status == S.ASSIGNED and a.events.get().label == "交办" for a in task.assignments.all())
    assert AuditRecord.objects.filter(action="supervision.task.create").count() == 1
    assert Notification.objects.filter(channel="sms").count() == 2
    assert "制定行业评价标准" in Notification.objects.first().body


def test_only_the_office_assigns_and_input_is_checked(users):
    data = services.TaskInput(title="任务", description="内容", due_on=timezone.localdate() + timedelta(days=3),
                              region_ids=(Region.objects.get(code="150802").pk,))
    with pytest.raises(PermissionDenied):
        services.task_create(actor=actor(users["county_a"]), data=data)
    for bad, field in [({"region_ids": ()}, "assignees"), ({"title": " "}, "title"),
                       ({"due_on": timezone.localdate() - timedelta(days=1)}, "due_on"),
                       ({"region_ids": (Region.objects.get(code="150800").pk,)}, "assignees")]:
        with pytest.raises(ValidationFailed) as exc:
            services.task_create(actor=actor(users["office"]), data=services.TaskInput(**{**data.__dict__, **bad}))
        assert exc.value.details["field"] == field
    assert Task.objects.count() == 0


def test_assignee_reports_submits_and_office_confirms_or_returns(users):
    task = make_task(counties=("150802", "150821"), departments=("fda",))
    a = task.assignments.get(region__code="150802")
    with pytest.raises(PermissionDenied):
        services.progress_report(actor=actor(users["county_b"]), assignment=a, note="x", percent=10)
    with pytest.raises(PermissionDenied):
        services.progress_report(actor=actor(users["department"]), assignment=a, note="x", percent=10)
    with pytest.raises(ValidationFailed):
        services.progress_report(actor=actor(users["county_a"]), assignment=a, note="进展", percent=101)
    pdf = SimpleUploadedFile("方案.pdf", samples.PDF, content_type="application/pdf")
    a = services.progress_report(actor=actor(users["county_a"]), assignment=a, note="已起草方案", percent=40,
                                 attachment=pdf)
    assert (a.status, a.percent) == (S.IN_PROGRESS, 40)
    assert a.events.last().attachment_name == "方案.pdf"
    a = services.progress_report(actor=actor(users["county_a"]), assignment=a, note="已征求意见", percent=70)
    assert a.status == S.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        services.assignment_submit(actor=actor(users["office"]), assignment=a, note="完成")
    with pytest.raises(TransitionNotAllowed):
        services.assignment_confirm(actor=actor(users["office"]), assignment=a)
    a = services.assignment_submit(actor=actor(users["county_a"]), assignment=a, note="机制文件已印发")
    assert (a.status, a.percent, a.submitted_on) == (S.SUBMITTED, 100, timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.assignment_confirm(actor=actor(users["county_a"]), assignment=a)
    with pytest.raises(ValidationFailed):
        services.assignment_return(actor=actor(users["office"]), assignment=a, reason=" ")
    a = services.assignment_return(actor=actor(users["office"]), assignment=a, reason="缺少分管领导签字")
    assert (a.status, a.return_reason, a.submitted_on) == (S.RETURNED, "缺少分管领导签字", None)
    a = services.assignment_submit(actor=actor(users["county_a"]), assignment=a, note="已补签")
    a = services.assignment_confirm(actor=actor(users["office"]), assignment=a, note="同意")
    assert a.status == S.DONE and a.on_time
    assert [e.label for e in a.events.all()] == ["交办", "报送进展", "报送进展", "报告完成", "退回", "报告完成", "确认办结"]
    with pytest.raises(TransitionNotAllowed):
        services.progress_report(actor=actor(users["county_a"]), assignment=a, note="再报", percent=100)
    d = task.assignments.get(department__code="fda")
    assert services.progress_report(actor=actor(users["department"]), assignment=d, note="部门进展", percent=10).status \
        == S.IN_PROGRESS


def test_visibility_and_overdue(users):
    task = make_task(counties=("150802", "150821"), departments=("fda",))
    assert selectors.assignments_visible(users["office"]).count() == 3
    assert [a.assignee_name for a in selectors.assignments_visible(users["county_a"])] == ["临河区"]
    assert [a.assignee_name for a in selectors.assignments_visible(users["department"])] == ["市食药监局"]
    assert selectors.assignments_visible(users["merchant"]).count() == 0
    assert selectors.assignments_visible(users["auditor"]).count() == 3
    with pytest.raises(Exception) as exc:
        selectors.task_get(users["association"], task.pk)
    assert exc.value.__class__.__name__ == "NotFound"
    a = task.assignments.get(region__code="150802")
    later = task.due_on + timedelta(days=1)
    assert not a.is_overdue(task.due_on) and a.is_overdue(later)
    assert Assignment.objects.overdue(later).count() == 3
    assert len(selectors.board(users["office"], overdue_only=True, today=later)[0].assignments) == 3
    assert selectors.board(users["office"], overdue_only=True, today=task.due_on) == []


def test_remind_is_idempotent_per_day_and_skips_far_and_submitted(users, django_capture_on_commit_callbacks):
    heads(users, "county_a", "county_b")
    soon = make_task(counties=("150802", "150821"), days=2, title="近期任务")
    make_task(counties=("150802",), days=30, title="远期任务")
    b = soon.assignments.get(region__code="150821")
    services.assignment_submit(actor=actor(users["county_b"]), assignment=b, note="完成")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.remind(actor=Actor.system("test"))
    assert [a.assignee_name for a in first.reminded] == ["临河区"]
    assert Notification.objects.count() == 1 and "还有 2 天到期" in Notification.objects.get().body
    with django_capture_on_commit_callbacks(execute=True):
        again = services.remind(actor=Actor.system("test"))
    assert again.reminded == [] and Notification.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        overdue = services.remind(actor=Actor.system("test"), on=soon.due_on + timedelta(days=4))
    assert [a.task.title for a in overdue.reminded] == ["近期任务"]  # the 30-day task is not due within 3 days
    assert "已逾期 4 天" in Notification.objects.order_by("id")[1].body


# --- the state machine, property-based -------------------------------------------------------------------------

ACTIONS = ["progress", "submit", "confirm", "return"]
TARGET = {"progress": S.IN_PROGRESS, "submit": S.SUBMITTED, "confirm": S.DONE, "return": S.RETURNED}


def model_allows(status: str, action: str) -> bool:
    if action == "progress":
        return status in (S.ASSIGNED, S.IN_PROGRESS, S.RETURNED)
    return ASSIGNMENT_FLOW.can(status, TARGET[action])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=8))
def test_assignment_follows_the_transition_table(users, steps):
    task = make_task()
    a = task.assignments.get()
    status, done_events = S.ASSIGNED, 1
    for step in steps:
        call = {"progress": lambda: services.progress_report(actor=actor(users["county_a"]), assignment=a,
                                                             note="进展", percent=50),
                "submit": lambda: services.assignment_submit(actor=actor(users["county_a"]), assignment=a, note="完成"),
                "confirm": lambda: services.assignment_confirm(actor=actor(users["office"]), assignment=a),
                "return": lambda: services.assignment_return(actor=actor(users["office"]), assignment=a,
                                                             reason="补充材料")}[step]
        if model_allows(status, step):
            call()
            status, done_events = TARGET[step], done_events + 1
        else:
            with pytest.raises(TransitionNotAllowed):
                call()
        a.refresh_from_db()
        assert a.status == status
        assert a.events.count() == done_events
        assert (a.submitted_on is not None) == (status in (S.SUBMITTED, S.DONE))
        assert (a.done_on is not None) == (status == S.DONE)
