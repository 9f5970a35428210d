"""The complaint import page (staff): upload an XLSX/CSV, see the result, download the error report.

The result and the report are kept under FANGXIN_VAR_DIR/import-reports/complaints/ with a random name for 7
days; only the user who ran the import can open them (anyone else gets 404, as for a token that does not exist).
"""

import io
import json
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.workbench.decorators import page_for

from . import importing

REPORT_DIR = ("import-reports", "complaints")
KEEP_SECONDS = 7 * 24 * 3600
SHOWN_ROWS = 200
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


class ImportForm(forms.Form):
    file = forms.FileField(
        label="导入文件",
        help_text=f"XLSX 或 CSV（UTF-8 或 GB18030 编码），不超过 10 MB、{importing.MAX_ROWS} 行。列名见下方说明。",
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv,text/csv," + importing.XLSX_CONTENT_TYPE}),
        error_messages={"required": "请选择要导入的文件。", "empty": "文件是空的。"},
    )
    dry_run = forms.BooleanField(label="试导入：只检查并报告结果，不登记投诉", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大：{upload.size / 1024 / 1024:.1f} MB，上限为 10 MB。请拆分后分别导入。")
        return upload


def can_import(user) -> bool:
    return importing.may_import(user)


@page_for(can_import)
@require_http_methods(["GET", "POST"])
def upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            result = importing.complaint_import(actor=Actor.from_request(request), source=upload_file,
                                                file_name=upload_file.name, dry_run=form.cleaned_data["dry_run"])
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            directory = reports_dir()
            _purge_old(directory)
            token = secrets.token_urlsafe(24)
            if result.errors:
                _write(directory / f"{token}.xlsx", importing.error_report(result))
            _write(directory / f"{token}.json", json.dumps(_summary(request.user, result), ensure_ascii=False)
                   .encode("utf-8"))
            return redirect("complaints:import_result", token=token)
    return render(request, "complaints/import.html", {"form": form, "columns": importing.COLUMNS,
                                                      "max_rows": importing.MAX_ROWS})


@page_for(can_import)
@require_GET
def result(request, token: str):
    summary = _owned_summary(request, token)
    return render(request, "complaints/import.html", {"summary": summary, "token": token,
                                                      "columns": importing.COLUMNS, "max_rows": importing.MAX_ROWS})


@page_for(can_import)
@require_GET
def report(request, token: str):
    summary = _owned_summary(request, token)
    path = reports_dir() / f"{token}.xlsx"
    if not summary.get("errors") or not path.is_file():
        raise Http404
    stem = Path(summary.get("file_name") or "投诉导入").stem
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"错误报告-{stem}.xlsx",
                            content_type=importing.XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


@page_for(can_import)
@require_GET
def template(request):
    response = FileResponse(io.BytesIO(importing.template_workbook()), as_attachment=True,
                            filename="投诉导入模板.xlsx", content_type=importing.XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


# --- stored results --------------------------------------------------------------------------------------------

def reports_dir() -> Path:
    directory = Path(settings.FANGXIN_VAR_DIR).joinpath(*REPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _summary(user, result: importing.ImportResult) -> dict:
    return {
        "user": user.pk, "at": timezone.now().isoformat(), "file_name": result.file_name,
        "dry_run": result.dry_run, "text": result.summary(), "rows": result.rows, "valid": result.valid,
        "imported": [{"row": row, "tracking_no": number} for row, number in result.imported[:SHOWN_ROWS]],
        "imported_count": len(result.imported),
        "already": [{"row": row, "external_ref": ref, "tracking_no": number}
                    for row, ref, number in result.already[:SHOWN_ROWS]],
        "already_count": len(result.already),
        "duplicates": [{"row": row, "tracking_no": number} for row, number in result.duplicates[:SHOWN_ROWS]],
        "errors": len(result.errors),
        "error_rows": [error.as_dict() for error in result.errors[:SHOWN_ROWS]],
    }


def _owned_summary(request, token: str) -> dict:
    if not TOKEN.fullmatch(token):
        raise Http404
    try:
        summary = json.loads((reports_dir() / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise Http404 from None
    if not isinstance(summary, dict) or summary.get("user") != request.user.pk:
        raise Http404
    return summary


def _write(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
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
