"""The registry import pages (docs/import.md): upload, result, error-report download, blank template.

Results and error reports are kept under FANGXIN_VAR_DIR/import-reports/ with a random name for 7 days; only
the user who ran the import can open them (anyone else gets 404, as for a report that does not exist).
"""

import io
import json
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from fangxin.accounts.choices import Role
from fangxin.core.actors import Actor
from fangxin.workbench.decorators import page_for

from . import importing
from .forms_import import EntityImportForm

REPORT_DIR = "import-reports"
KEEP_SECONDS = 7 * 24 * 3600
SHOWN_ERRORS = 100
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def can_import(user) -> bool:
    """Joint-meeting office and administrators: the whole city; county staff: rows of their own county."""
    return user is not None and importing.may_import(user)


@page_for(can_import)
@require_http_methods(["GET", "POST"])
def upload(request):
    form = EntityImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        directory = reports_dir()
        _purge_old(directory)
        token = secrets.token_urlsafe(24)
        interrupted = ""
        try:
            result = importing.entity_import(
                actor=Actor.from_request(request), source=upload, file_name=upload.name,
                dry_run=form.cleaned_data["dry_run"], error_report=directory / f"{token}.xlsx",
                max_error_rows=SHOWN_ERRORS)
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
            return _upload_page(request, form)
        except importing.ImportInterrupted as exc:
            result, interrupted = exc.result, exc.message
        _write_json(directory / f"{token}.json", _summary(request.user, result, interrupted))
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
    summary = _owned_summary(request, token)
    return render(request, "merchants/import_result.html", {"summary": summary, "token": token})


@page_for(can_import)
@require_GET
def report(request, token: str):
    summary = _owned_summary(request, token)
    path = reports_dir() / f"{token}.xlsx"
    if not summary.get("report") or not path.is_file():
        raise Http404
    stem = Path(summary.get("file_name") or "导入").stem
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"错误报告-{stem}.xlsx",
                            content_type=importing.XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


@page_for(can_import)
@require_GET
def template(request):
    data = importing.template_workbook(importing.Reference.load(request.user))
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename="市场主体导入模板.xlsx",
                            content_type=importing.XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


# --- stored results -----------------------------------------------------------------------------------------

def reports_dir() -> Path:
    directory = Path(settings.FANGXIN_VAR_DIR) / REPORT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return directory


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


def _owned_summary(request, token: str) -> dict:
    """The stored summary of `token` if the signed-in user made it; 404 for anyone else and for no such token."""
    if not TOKEN.fullmatch(token):
        raise Http404
    try:
        summary = json.loads((reports_dir() / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise Http404 from None
    if not isinstance(summary, dict) or summary.get("user") != request.user.pk:
        raise Http404
    return summary


def _write_json(path: Path, data: dict) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
    os.replace(temporary, path)


def _purge_old(directory: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in directory.iterdir():
        if path.suffix in (".json", ".xlsx", ".part"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass  # another request removed it first
