"""The registry import pages (docs/import.md): upload, result, error-report download, blank template.

Results and error reports are kept under FANGXIN_VAR_DIR/import-reports/ with a random name for 7 days; only
the user who ran the import can open them (anyone else gets 404, as for a report that does not exist).
"""

import io
from pathlib import Path

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from fangxin.accounts.choices import Role
from fangxin.core.actors import Actor
from fangxin.core.import_reports import ReportStore, xlsx_download
from fangxin.workbench.decorators import page_for

from . import importing
from .forms_import import EntityImportForm

STORE = ReportStore("import-reports")
SHOWN_ERRORS = 100


def can_import(user) -> bool:
    """Joint-meeting office and administrators: the whole city; county staff: rows of their own county."""
    return user is not None and importing.may_import(user)


@page_for(can_import)
@require_http_methods(["GET", "POST"])
def upload(request):
    form = EntityImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = STORE.new_token()
        interrupted = ""
        try:
            result = importing.entity_import(
                actor=Actor.from_request(request), source=upload, file_name=upload.name,
                dry_run=form.cleaned_data["dry_run"], error_report=STORE.path(token, ".xlsx"),
                max_error_rows=SHOWN_ERRORS)
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
            return _upload_page(request, form)
        except importing.ImportInterrupted as exc:
            result, interrupted = exc.result, exc.message
        STORE.write_summary(token, _summary(request.user, result, interrupted))
        return redirect("registry_import:result", token=token)
    return _upload_page(request, form)


def _upload_page(request, form):
    return render(request, "merchants/import_upload.html", {
        "form": form, "columns": importing.COLUMNS, "notes": importing.IMPORT_NOTES,
        "county": request.user.region if request.user.role == Role.COUNTY_STAFF else None,
    })


@page_for(can_import)
@require_GET
def result(request, token: str):
    summary = STORE.owned_summary(request, token)
    return render(request, "merchants/import_result.html", {"summary": summary, "token": token})


@page_for(can_import)
@require_GET
def report(request, token: str):
    summary = STORE.owned_summary(request, token)
    path = STORE.path(token, ".xlsx")
    if not summary.get("report") or not path.is_file():
        raise Http404
    return xlsx_download(path, f"错误报告-{Path(summary.get('file_name') or '导入').stem}.xlsx")


@page_for(can_import)
@require_GET
def template(request):
    data = importing.template_workbook(importing.Reference.load(request.user))
    return xlsx_download(io.BytesIO(data), "市场主体导入模板.xlsx")


# --- stored results -----------------------------------------------------------------------------------------

def _summary(user, result: importing.ImportResult, interrupted: str) -> dict:
    return {
        "user": user.pk,
        "at": timezone.now().isoformat(),
        "file_name": result.file_name,
        "dry_run": result.dry_run,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": result.skipped,
        "errors": result.errors,
        "batches": result.batches,
        "elapsed": round(result.elapsed, 2),
        "error_rows": [{"row": e.row, "uscc": e.uscc, "columns": "、".join(e.columns), "message": e.message}
                       for e in result.error_rows[:SHOWN_ERRORS]],
        "report": result.report_path is not None,
        "interrupted": interrupted,
    }
