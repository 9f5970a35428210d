"""Tasks for tests: one assigned to a county (and optionally a department), created by the system actor."""

from datetime import timedelta

from django.utils import timezone

from fangxin.core.actors import Actor
from fangxin.organisation.models import Department, Region
from fangxin.supervision import services

SYSTEM = Actor.system("test")


def make_task(*, counties=("150802",), departments=(), days: int = 10, title: str = "建立协作机制"):
    return services.task_create(actor=SYSTEM, data=services.TaskInput(
        title=title, description="建立消费维权协作机制并报送文件。", basis="实施意见 六（一）",
        due_on=timezone.localdate() + timedelta(days=days),
        region_ids=tuple(Region.objects.filter(code__in=counties).values_list("pk", flat=True)),
        department_ids=tuple(Department.objects.filter(code__in=departments).values_list("pk", flat=True))))
