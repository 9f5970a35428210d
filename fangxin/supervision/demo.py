"""Demo supervision tasks and evaluation schemes.

Five tasks from the joint-meeting office, in the states the board should show: one confirmed done, one reported
done awaiting confirmation, one returned with a reason, one in progress, one overdue (its due date is set in the
past after it is assigned, as the demo back-dates what happened before today). Evaluation schemes for last year
(published, so its ranking is frozen) and this year (draft, computed live). Idempotent: tasks are looked up by
title, schemes by year; nothing is created twice.
"""

from datetime import timedelta

from django.utils import timezone

from fangxin.organisation.models import Department, Region

from . import services
from .models import Assignment, Task

TASKS = [
    # (title, basis, description, days until due, departments, counties, story)
    ("制定行业放心消费评价标准", "实施意见 三（一）", "各牵头部门结合本行业实际，制定放心消费示范单位评价标准，报联席会议办公室备案。",
     40, ["fda", "tourism", "commerce"], [], "mixed"),
    ("建立旗县区放心消费协作机制", "实施意见 六（一）", "各旗县区建立由政府分管领导牵头的消费维权联席会议制度和部门协作机制，报送机制文件。",
     20, [], ["150802", "150821", "150822", "150826"], "progress"),
    ("开展预付卡消费专项整治", "实施意见 四（十二）", "对美容美发、健身、教育培训行业预付卡经营者开展排查，督促落实资金存管。",
     2, ["commerce", "edu"], ["150802"], "submitted"),
    ("维权服务站进乡镇全覆盖", "实施意见 三（五）", "每个苏木乡镇（街道）至少设立一个消费维权服务站，报送名单和联系方式。",
     -12, [], ["150823", "150825"], "overdue"),
    ("报送上半年创建工作总结", "实施意见 六（二）", "各旗县区报送上半年放心消费创建工作总结及下半年工作计划。",
     10, [], ["150802", "150821", "150824"], "done"),
]


def load(*, rng, actor, stdout=None) -> int:
    """Tasks (once) in several states and this year's and last year's schemes. Returns the tasks created."""
    today = timezone.localdate()
    created = 0
    for title, basis, description, days, departments, counties, story in TASKS:
        if Task.objects.filter(title=title).exists():
            continue
        department_ids = tuple(Department.objects.filter(code__in=departments).values_list("pk", flat=True))
        region_ids = tuple(Region.objects.filter(code__in=counties).values_list("pk", flat=True))
        if not department_ids and not region_ids:
            continue
        due = today + timedelta(days=max(days, 1))
        task = services.task_create(actor=actor, data=services.TaskInput(
            title=title, description=description, basis=basis, due_on=due, department_ids=department_ids,
            region_ids=region_ids))
        _play(task, story, actor, rng)
        if days < 0:  # back-date: the task was assigned weeks ago and its deadline has passed
            Task.objects.filter(pk=task.pk).update(due_on=today + timedelta(days=days))
        created += 1
    mechanisms = _mechanisms(actor, today)
    year = today.year
    for y in (year - 1, year):
        scheme = services.scheme_ensure(actor=actor, year=y)
        if y < year and not scheme.is_published:
            services.scheme_publish(actor=actor, scheme=scheme, today=today)
    if stdout is not None:
        stdout.write(f"督导：新建督导任务 {created} 项；评价方案 {year - 1}（已发布）、{year}（未发布）；"
                     f"登记县级协作机制 {mechanisms} 个")
    return created


def _play(task: Task, story: str, actor, rng) -> None:
    assignments = list(Assignment.objects.filter(task=task).select_related("task", "region", "department"))
    notes = ["已召开专题会议部署，明确责任科室和时间表。", "已完成初稿，正在征求相关部门意见。", "已完成调研摸底，形成工作方案。"]
    for i, a in enumerate(assignments):
        if story == "mixed" and i == 0:
            services.progress_report(actor=actor, assignment=a, note=notes[0], percent=40)
            services.assignment_submit(actor=actor, assignment=a, note="评价标准已印发，附件为标准文本。")
            services.assignment_confirm(actor=actor, assignment=a, note="已备案。")
        elif story == "mixed" and i == 1:
            services.progress_report(actor=actor, assignment=a, note=notes[1], percent=70)
            services.assignment_submit(actor=actor, assignment=a, note="标准已起草完成。")
            services.assignment_return(actor=actor, assignment=a, reason="未包含一票否决项，请补充后重新报送。")
        elif story in ("progress", "mixed"):
            if rng.random() < 0.7:
                services.progress_report(actor=actor, assignment=a, note=rng.choice(notes),
                                         percent=rng.choice([20, 30, 50, 60]))
        elif story == "submitted":
            services.progress_report(actor=actor, assignment=a, note=notes[2], percent=80)
            services.assignment_submit(actor=actor, assignment=a, note="排查预付卡经营者 126 家，督促 41 家落实存管。")
        elif story == "overdue":
            if i == 0:
                services.progress_report(actor=actor, assignment=a, note="已设立服务站 9 个，尚有 3 个乡镇未覆盖。",
                                         percent=75)
        elif story == "done":
            services.assignment_submit(actor=actor, assignment=a, note="工作总结已报送。")
            services.assignment_confirm(actor=actor, assignment=a)


def _mechanisms(actor, today) -> int:
    """Every county but the lagging one of the demo's story has set up its coordination mechanism (goal 一)."""
    from fangxin.complaints.demo import LAGGING_COUNTY
    from fangxin.stats.models import CoordinationMechanism
    from fangxin.stats.services import mechanism_record

    done = set(CoordinationMechanism.objects.values_list("region__code", flat=True))
    created = 0
    for index, county in enumerate(Region.objects.filter(level="county").exclude(code=LAGGING_COUNTY).order_by("code")):
        if county.code in done:
            continue
        mechanism_record(actor=actor, county_code=county.code, established_on=today - timedelta(days=400 - 30 * index),
                         document_no=f"{county.name[:2]}放心消费发〔{(today - timedelta(days=400 - 30 * index)).year}〕{index + 1}号",
                         members="市场监管局、商务局、文旅局、消费者协会等", note="")
        created += 1
    return created
