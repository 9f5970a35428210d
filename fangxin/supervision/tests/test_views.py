"""The pages and the API: scope (404 for others), the office's form, the assignee's and the office's actions,
the evaluation page with its weights form, XLSX and PDF; the commands and the demo."""

import io
import random
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fangxin.core.actors import Actor
from fangxin.core.tests import samples
from fangxin.organisation.models import Department, Region
from fangxin.supervision import demo, services
from fangxin.supervision.choices import DEFAULT_INDICATORS, AssignmentStatus
from fangxin.supervision.models import Assignment, EvaluationScheme, Task

from .factories import make_task

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_board_is_scoped_and_task_detail_404s_for_others(client, users):
    task = make_task(counties=("150802",), departments=("fda",))
    url = reverse("supervision:board")
    client.force_login(users["office"])
    page = client.get(url).content.decode()
    assert "建立协作机制" in page and "临河区" in page and "市食药监局" in page and "交办新任务" in page
    client.force_login(users["county_a"])
    page = client.get(url).content.decode()
    assert "临河区" in page and "市食药监局" not in page and "交办新任务" not in page
    client.force_login(users["county_b"])
    assert "建立协作机制" not in client.get(url).content.decode()
    assert client.get(reverse("supervision:task", args=[task.pk])).status_code == 404
    assert client.get(reverse("supervision:task_new")).status_code == 404
    client.force_login(users["merchant"])
    assert client.get(url).status_code == 404


def test_office_creates_a_task_and_county_reports_and_office_confirms(client, users):
    client.force_login(users["office"])
    due = (timezone.localdate() + timedelta(days=15)).isoformat()
    response = client.post(reverse("supervision:task_new"), {"title": "制定评价标准", "description": "制定标准。",
                                                             "basis": "", "due_on": due})
    assert response.status_code == 422 and "请至少选择一个承办部门或旗县区" in response.content.decode()
    response = client.post(reverse("supervision:task_new"), {
        "title": "制定评价标准", "description": "制定标准。", "basis": "六（二）", "due_on": due,
        "regions": [Region.objects.get(code="150802").pk], "departments": [Department.objects.get(code="fda").pk]})
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:task", args=[task.pk])
    a = task.assignments.get(region__code="150802")
    act = lambda action: reverse("supervision:assignment_action", args=[a.pk, action])  # noqa: E731
    client.force_login(users["county_a"])
    page = client.get(reverse("supervision:task", args=[task.pk])).content.decode()
    assert "报送进展" in page and "确认办结" not in page
    response = client.post(act("progress"), {"note": "", "percent": "30"})
    assert response.status_code == 422 and "请填写工作进展" in response.content.decode()
    assert client.post(act("progress"), {"note": "已起草", "percent": "30"}).status_code == 302
    assert client.post(act("confirm"), {"note": ""}).status_code == 422  # only the office confirms
    assert client.post(act("delete"), {"note": "x"}).status_code == 404
    assert client.post(act("submit"), {"note": "已完成"}).status_code == 302
    client.force_login(users["office"])
    page = client.get(reverse("supervision:task", args=[task.pk])).content.decode()
    assert "确认办结" in page and "已报完成" in page
    assert client.post(act("return"), {"note": ""}).status_code == 422
    assert client.post(act("confirm"), {"note": "同意"}).status_code == 302
    a.refresh_from_db()
    assert a.status == AssignmentStatus.DONE
    client.force_login(users["department"])
    other = task.assignments.get(department__code="fda")
    assert client.post(reverse("supervision:assignment_action", args=[a.pk, "progress"]),
                       {"note": "x", "percent": "1"}).status_code == 404
    assert client.post(reverse("supervision:assignment_action", args=[other.pk, "progress"]),
                       {"note": "部门进展", "percent": "10"}).status_code == 302


def test_evaluation_page_weights_form_and_downloads(client, users, entities):
    year = timezone.localdate().year
    url = reverse("supervision:evaluation", args=[year])
    client.force_login(users["county_a"])
    page = client.get(url).content.decode()
    assert "临河区" in page and "杭锦后旗" in page and "保存方案" not in page
    client.force_login(users["office"])
    data = {f"w_{code}": weight for code, weight, _ in DEFAULT_INDICATORS}
    data.update({f"t_{code}": target for code, _, target in DEFAULT_INDICATORS})
    response = client.post(url, {**data, "w_timeliness": 30})
    assert response.status_code == 422 and "各项权重之和应为 100 分，现为 120 分" in response.content.decode()
    assert client.post(url, {**data, "w_timeliness": 5, "w_warnings_closed": 15}).status_code == 302
    scheme = EvaluationScheme.objects.get(year=year)
    assert scheme.version == 2 and scheme.indicators.get(code="timeliness").weight == 5
    xlsx = client.get(reverse("supervision:evaluation_xlsx", args=[year]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(3, 3).value == "旗县区" and sheet.max_row == 3 + 7
    assert {sheet.cell(r, 3).value for r in range(4, 11)} >= {"临河区", "五原县"}
    assert client.get(reverse("supervision:evaluation", args=[0])).status_code == 404
    assert client.get(reverse("supervision:evaluation_xlsx", args=[99999])).status_code == 404
    pdf = client.get(reverse("supervision:evaluation_pdf", args=[year]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.post(reverse("supervision:evaluation_publish", args=[year])).status_code == 302
    page = client.get(url).content.decode()
    assert "已发布" in page and "保存方案" not in page and "发布评价结果" not in page


def test_api_tasks_progress_and_ranking(client, users):
    client.force_login(users["office"])
    due = (timezone.localdate() + timedelta(days=9)).isoformat()
    body = client.post(f"{API}/supervision/tasks", {"title": "专项整治", "description": "开展整治。", "due_on": due,
                                                    "counties": ["150802"], "departments": ["fda"]},
                       content_type="application/json")
    assert body.status_code == 201
    task = body.json()
    assert [a["assignee"] for a in task["assignments"]] == ["临河区", "市食药监局"]
    bad = client.post(f"{API}/supervision/tasks", {"title": "x", "description": "y", "due_on": due,
                                                   "counties": ["999999"]}, content_type="application/json")
    assert bad.status_code == 422
    county = task["assignments"][0]["id"]
    client.force_login(users["county_a"])
    assert [t["title"] for t in client.get(f"{API}/supervision/tasks").json()] == ["专项整治"]
    assert len(client.get(f"{API}/supervision/tasks").json()[0]["assignments"]) == 1
    out = client.post(f"{API}/supervision/assignments/{county}/progress", {"note": "推进中", "percent": 50},
                      content_type="application/json").json()
    assert out["assignments"][0]["status"] == "in_progress"
    conflict = client.post(f"{API}/supervision/assignments/{county}/confirm", {}, content_type="application/json")
    assert conflict.status_code == 403
    client.force_login(users["office"])
    conflict = client.post(f"{API}/supervision/assignments/{county}/confirm", {}, content_type="application/json")
    assert conflict.status_code == 409 and conflict.json()["error"]["details"]["allowed"] == ["submitted"]
    assert client.get(f"{API}/supervision/evaluation/0").status_code == 404
    ranking = client.get(f"{API}/supervision/evaluation/{timezone.localdate().year}").json()
    assert ranking["published"] is False and len(ranking["rows"]) == 7
    assert ranking["rows"][0]["rank"] == 1 and ranking["rows"][0]["breakdown"][0]["label"] == "创建单位覆盖率"
    client.force_login(users["merchant"])
    assert client.get(f"{API}/supervision/tasks").status_code == 403


def test_commands_remind_and_evaluate(users):
    make_task(counties=("150802",), days=1)
    out = io.StringIO()
    call_command("supervision", "remind", stdout=out)
    assert "提醒 1 条承办记录" in out.getvalue()
    out = io.StringIO()
    call_command("supervision", "remind", stdout=out)
    assert "提醒 0 条承办记录，今日已提醒 1 条" in out.getvalue()
    out = io.StringIO()
    year = timezone.localdate().year
    call_command("supervision", "evaluate", str(year), stdout=out)
    assert f"{year} 年度旗县区督导评价（未发布" in out.getvalue() and "临河区" in out.getvalue()


def test_demo_is_idempotent_and_tells_the_story(users, entities):
    actor = Actor.system("demo")
    assert demo.load(rng=random.Random(1), actor=actor) == len(demo.TASKS)
    assert demo.load(rng=random.Random(1), actor=actor) == 0
    statuses = set(Assignment.objects.values_list("status", flat=True))
    assert {AssignmentStatus.DONE, AssignmentStatus.SUBMITTED, AssignmentStatus.RETURNED,
            AssignmentStatus.IN_PROGRESS} <= statuses
    assert Assignment.objects.overdue(timezone.localdate()).exists()
    year = timezone.localdate().year
    assert EvaluationScheme.objects.get(year=year - 1).is_published
    assert not EvaluationScheme.objects.get(year=year).is_published
    assert services.scheme_ensure(actor=actor, year=year).version == 1
    from fangxin.complaints.demo import LAGGING_COUNTY
    from fangxin.stats.models import CoordinationMechanism

    counties = set(CoordinationMechanism.objects.values_list("region__code", flat=True))
    assert counties and LAGGING_COUNTY not in counties  # every county but the lagging one has its mechanism


def test_progress_attachment_downloads_within_scope_only(client, users):
    task = make_task(counties=("150802",))
    a = task.assignments.get()
    client.force_login(users["county_a"])
    fake = SimpleUploadedFile("方案.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(reverse("supervision:assignment_action", args=[a.pk, "progress"]),
                           {"note": "附方案", "percent": "20", "attachment": fake})
    assert response.status_code == 422 and "不是图片或 PDF" in response.content.decode()
    pdf = SimpleUploadedFile("方案.pdf", samples.PDF, content_type="application/pdf")
    client.post(reverse("supervision:assignment_action", args=[a.pk, "progress"]),
                {"note": "附方案", "percent": "20", "attachment": pdf})
    event = a.events.exclude(attachment="").get()
    page = client.get(reverse("supervision:task", args=[task.pk])).content.decode()
    assert "附件：方案.pdf" in page
    url = reverse("supervision:attachment", args=[event.pk])
    assert b"".join(client.get(url).streaming_content) == samples.PDF
    client.force_login(users["county_b"])
    assert client.get(url).status_code == 404
