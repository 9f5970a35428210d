"""The complaint import page (staff): upload an XLSX/CSV, see the result, download the error report.

The result and the report are kept under FANGXIN_VAR_DIR/import-reports/complaints/ with a random name for 7
days; only the user who ran the import can open them (anyone else gets 404, as for a token that does not exist).
"""

import io
from pathlib import Path

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.core.import_forms import TableImportForm
from fangxin.core.import_reports import ReportStore, xlsx_download
from fangxin.workbench.decorators import page_for

from . import importing

STORE = ReportStore("import-reports", "complaints")
SHOWN_ROWS = 200


class ImportForm(TableImportForm):
    max_rows = importing.MAX_ROWS
    dry_run_label = "试导入：只检查并报告结果，不登记投诉"


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
            token = STORE.new_token()
            if result.errors:
                STORE.write(token, ".xlsx", importing.error_report(result))
            STORE.write_summary(token, _summary(request.user, result))
            return redirect("complaints:import_result", token=token)
    return render(request, "complaints/import.html", {"form": form, "columns": importing.COLUMNS,
                                                      "max_rows": importing.MAX_ROWS})


@page_for(can_import)
@require_GET
def result(request, token: str):
    summary = STORE.owned_summary(request, token)
    return render(request, "complaints/import.html", {"summary": summary, "token": token,
                                                      "columns": importing.COLUMNS, "max_rows": importing.MAX_ROWS})


@page_for(can_import)
@require_GET
def report(request, token: str):
    summary = STORE.owned_summary(request, token)
    path = STORE.path(token, ".xlsx")
    if not summary.get("errors") or not path.is_file():
        raise Http404
    return xlsx_download(path, f"错误报告-{Path(summary.get('file_name') or '投诉导入').stem}.xlsx")


@page_for(can_import)
@require_GET
def template(request):
    return xlsx_download(io.BytesIO(importing.template_workbook()), "投诉导入模板.xlsx")


# --- stored results --------------------------------------------------------------------------------------------

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
