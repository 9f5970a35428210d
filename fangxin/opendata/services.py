"""Report jobs (docs/reports.md): request → queued → running → done | failed, with progress in percent.

A request is written and audited in one transaction; after commit the web process starts a background thread for
it (setting FANGXIN_REPORTS_IN_THREAD, on by default). `fangxin report run-pending` runs whatever is still queued
(a deployment that prefers a worker turns the thread off). A job is claimed with a conditional UPDATE, so the
thread and the command never run the same job twice. Files live under FANGXIN_REPORTS_DIR (default var/reports/),
named by the job's id; only the person who asked for a report may download it."""

import logging
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES, WHOLE_SYSTEM_ROLES
from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound, PermissionDenied, ValidationFailed

from .choices import JobStatus, ReportFormat, ReportKind
from .models import ReportJob
from .reports import annual, monthly

log = logging.getLogger(__name__)
REQUESTERS = frozenset(STAFF_ROLES | WHOLE_SYSTEM_ROLES)
FORMATS = {ReportKind.ANNUAL: (ReportFormat.PDF, ReportFormat.DOCX), ReportKind.MONTHLY: (ReportFormat.XLSX,)}


def reports_dir() -> Path:
    path = Path(getattr(settings, "FANGXIN_REPORTS_DIR", settings.FANGXIN_VAR_DIR / "reports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def can_request(user) -> bool:
    return getattr(user, "is_authenticated", False) and getattr(user, "role", "") in REQUESTERS


def _period(kind: str, period: str) -> str:
    period = (period or "").strip()
    if kind == ReportKind.ANNUAL:
        if not (period.isdigit() and len(period) == 4 and 2000 <= int(period) <= timezone.localdate().year + 1):
            raise ValidationFailed("年度格式应为四位数字，例如 2026。", details={"field": "period"})
        return period
    first = monthly.parse_month(period)
    if first > timezone.localdate():
        raise ValidationFailed("不能分析尚未开始的月份。", details={"field": "period"})
    if first.year < 2000:
        raise ValidationFailed("月份超出范围。", details={"field": "period"})
    return f"{first:%Y-%m}"


def report_job_request(*, actor: Actor, kind: str, period: str, fmt: str = "") -> ReportJob:
    if not can_request(actor.user):
        raise PermissionDenied("您没有生成报告的权限。")
    if kind not in ReportKind.values:
        raise ValidationFailed("未知的报告类型。", details={"field": "kind"})
    fmt = fmt or FORMATS[kind][0]
    if fmt not in FORMATS[kind]:
        raise ValidationFailed("该报告不支持这种格式。", details={"field": "format"})
    period = _period(kind, period)
    with transaction.atomic():
        job = ReportJob.objects.create(kind=kind, period=period, format=fmt, requested_by=actor.user)
        audit.record(actor=actor, action="opendata.report.request", obj=job,
                     changes={"kind": kind, "period": period, "format": fmt})
        if getattr(settings, "FANGXIN_REPORTS_IN_THREAD", True):
            transaction.on_commit(lambda: start_thread(job.pk))
    return job


def start_thread(job_id: int) -> threading.Thread:
    thread = threading.Thread(target=_thread_main, args=(job_id,), name=f"report-{job_id}", daemon=True)
    thread.start()
    return thread


def _thread_main(job_id: int) -> None:
    close_old_connections()
    try:
        report_job_run(job_id)
    finally:
        connection.close()


def _progress(job_id: int):
    def update(percent: int, step: str) -> None:
        ReportJob.objects.filter(pk=job_id).update(progress=max(0, min(99, int(percent))), step=step[:100])
    return update


def render(*, user, kind: str, period: str, fmt: str, progress=lambda percent, step: None) -> bytes:
    """The report file itself, for the job runner and the console command."""
    if kind == ReportKind.ANNUAL:
        return annual.build(user, int(period), fmt, progress)
    return monthly.build(user, period, progress)


def report_job_run(job_id: int) -> ReportJob | None:
    """Claim a queued job and make its file; None when another worker already took it."""
    claimed = ReportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), progress=1, step="开始")
    if not claimed:
        return None
    job = ReportJob.objects.select_related("requested_by", "requested_by__region").get(pk=job_id)
    actor = Actor.system("report")
    try:
        content = render(user=job.requested_by, kind=job.kind, period=job.period, fmt=job.format,
                         progress=_progress(job.pk))
        name = f"report-{job.pk}.{job.format}"
        (reports_dir() / name).write_bytes(content)
    except Exception as error:  # the job records any failure; the page shows it instead of spinning forever
        log.exception("report job %s failed", job.pk)
        message = error.message if isinstance(error, FangxinError) else f"生成失败：{type(error).__name__}"
        with transaction.atomic():
            ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=message[:300],
                                                       finished_at=timezone.now())
            job.refresh_from_db()
            audit.record(actor=actor, action="opendata.report.fail", obj=job, changes={"error": message[:300]})
        return job
    with transaction.atomic():
        ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, progress=100, step="完成", file_name=name,
                                                   finished_at=timezone.now())
        job.refresh_from_db()
        audit.record(actor=actor, action="opendata.report.done", obj=job,
                     changes={"file": name, "bytes": len(content)})
    return job


STALE_AFTER = timedelta(hours=1)


def fail_stale(now=None) -> int:
    """A job still "running" long after it started lost its worker (the web process restarted mid-way): mark it
    failed so its page stops polling and offers "重新生成"."""
    now = now or timezone.now()
    stale = list(ReportJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=now - STALE_AFTER))
    for job in stale:
        with transaction.atomic():
            ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="生成中断（服务重启），请重新生成。",
                                                       finished_at=now)
            audit.record(actor=Actor.system("report"), action="opendata.report.fail", obj=job,
                         changes={"error": "stale"})
    return len(stale)


def run_pending(limit: int = 20) -> list[ReportJob]:
    fail_stale()
    done = []
    for job_id in ReportJob.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "id").values_list(
            "id", flat=True)[:limit]:
        job = report_job_run(job_id)
        if job is not None:
            done.append(job)
    return done


# --- reads -----------------------------------------------------------------------------------------------------------

def jobs_of(user):
    return ReportJob.objects.filter(requested_by=user).order_by("-created_at", "-id")


def job_get(user, pk) -> ReportJob:
    """The owner's job; anyone else's is "not found", like a missing one."""
    job = jobs_of(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if job is None:
        raise NotFound("没有找到该报告任务。")
    return job


def job_file(*, actor: Actor, pk) -> tuple[ReportJob, Path]:
    job = job_get(actor.user, pk)
    path = reports_dir() / job.file_name if job.file_name else None
    if job.status != JobStatus.DONE or path is None or not path.exists():
        raise NotFound("报告文件尚未生成或已被清理。")
    with transaction.atomic():
        audit.record(actor=actor, action="opendata.report.download", obj=job, changes={"file": job.file_name})
    return job, path
