"""Public open-data pages (/open/) and the staff report page (/workbench/reports/)."""

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound
from fangxin.workbench.decorators import page_for

from . import datasets, formats, services
from .choices import ReportFormat, ReportKind

CONTENT_TYPES = {ReportFormat.PDF: "application/pdf",
                 ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# --- public: open data --------------------------------------------------------------------------------------------

def _dataset(slug: str) -> datasets.Dataset:
    try:
        return datasets.dataset_get(slug)
    except NotFound:
        raise Http404 from None


def index(request):
    return render(request, "opendata/index.html", {"catalogue": datasets.catalogue()})


def dataset_detail(request, slug):
    dataset = _dataset(slug)
    return render(request, "opendata/dataset.html", {"dataset": dataset, "updated": dataset.updated()})


def dataset_csv(request, slug):
    return formats.csv_response(_dataset(slug))


def dataset_json(request, slug):
    return formats.json_response(_dataset(slug))


# --- staff: reports -----------------------------------------------------------------------------------------------

def _page(request, *, error: str = "", values: dict | None = None, status: int = 200):
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    values = values or {"kind": ReportKind.ANNUAL, "year": str(today.year), "month": f"{last_month:%Y-%m}",
                        "format": ReportFormat.PDF}
    return render(request, "opendata/reports.html", {
        "jobs": services.jobs_of(request.user)[:30], "error": error, "values": values,
        "kinds": ReportKind.choices, "annual_formats": [(f.value, f.label) for f in services.FORMATS[ReportKind.ANNUAL]],
    }, status=status)


@page_for(services.can_request)
def reports(request):
    if request.method != "POST":
        return _page(request)
    kind = request.POST.get("kind", "")
    values = {"kind": kind, "year": request.POST.get("year", ""), "month": request.POST.get("month", ""),
              "format": request.POST.get("format", "")}
    period = values["year"] if kind == ReportKind.ANNUAL else values["month"]
    fmt = values["format"] if kind == ReportKind.ANNUAL else ReportFormat.XLSX
    try:
        job = services.report_job_request(actor=Actor.from_request(request), kind=kind, period=period, fmt=fmt)
    except FangxinError as exc:
        return _page(request, error=exc.message, values=values, status=422)
    messages.success(request, f"已提交“{job.get_kind_display()} {job.period}”，生成完成后可在下方下载。")
    return redirect("opendata:reports")


@page_for(services.can_request)
def job_status(request, pk):
    """The htmx fragment a running job's row polls; it stops polling once the job is done or failed."""
    try:
        job = services.job_get(request.user, pk)
    except NotFound:
        raise Http404 from None
    return render(request, "opendata/_job.html", {"job": job, "finished": job.is_finished})


@page_for(services.can_request)
def job_download(request, pk):
    try:
        job, path = services.job_file(actor=Actor.from_request(request), pk=pk)
    except NotFound:
        raise Http404 from None
    response = FileResponse(path.open("rb"), as_attachment=True, filename=job.download_name,
                            content_type=CONTENT_TYPES[job.format])
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@page_for(services.can_request)
def job_retry(request, pk):
    """Ask again for a failed job's report (a new job, the same parameters)."""
    try:
        job = services.job_get(request.user, pk)
        services.report_job_request(actor=Actor.from_request(request), kind=job.kind, period=job.period,
                                    fmt=job.format)
    except NotFound:
        raise Http404 from None
    except FangxinError as exc:
        messages.error(request, exc.message)
    return redirect("opendata:reports")
