"""Where an import page keeps its result and error report between the upload and the user's next click.

Files live under FANGXIN_VAR_DIR/<subdirectory> with a random token for a name, for 7 days; only the user who ran
the import can open them (anyone else, and any token that does not exist, gets 404). Used by the registry import,
the complaint import and the credit-event import, the last two also for their error report (`error_rows_xlsx`).
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

KEEP_SECONDS = 7 * 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportStore:
    def __init__(self, *subdirectory: str):
        self.subdirectory = subdirectory

    def directory(self) -> Path:
        directory = Path(settings.FANGXIN_VAR_DIR).joinpath(*self.subdirectory)
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def new_token(self) -> str:
        """A fresh token; files older than KEEP_SECONDS are removed on the way."""
        self._purge_old()
        return secrets.token_urlsafe(24)

    def path(self, token: str, suffix: str) -> Path:
        return self.directory() / f"{token}{suffix}"

    def write(self, token: str, suffix: str, data: bytes) -> None:
        """Atomic: a reader sees the whole file or none."""
        directory = self.directory()
        fd, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, directory / f"{token}{suffix}")

    def write_summary(self, token: str, summary: dict) -> None:
        self.write(token, ".json", json.dumps(summary, ensure_ascii=False).encode("utf-8"))

    def owned_summary(self, request, token: str) -> dict:
        """The stored summary of `token` if the signed-in user made it; 404 for anyone else and for no such token."""
        if not TOKEN.fullmatch(token):
            raise Http404
        try:
            summary = json.loads(self.path(token, ".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise Http404 from None
        if not isinstance(summary, dict) or summary.get("user") != request.user.pk:
            raise Http404
        return summary

    def _purge_old(self) -> None:
        cutoff = time.time() - KEEP_SECONDS
        for path in self.directory().iterdir():
            if path.suffix in (".json", ".xlsx", ".part"):
                try:
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                except OSError:
                    pass  # another request removed it first


def xlsx_download(source, filename: str) -> FileResponse:
    """An XLSX attachment (a path or an open binary file) that no cache keeps."""
    handle = source.open("rb") if isinstance(source, Path) else source
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


# --- the error report of an import -----------------------------------------------------------------------------

REPORT_ROW_HEADER = "行号"
REPORT_COLUMN_HEADER = "出错的列"
REPORT_MESSAGE_HEADER = "错误说明"


def error_rows_xlsx(result, *, header_index: dict, header_key, cell_text) -> bytes:
    """The error rows of an import as an XLSX: 行号, 出错的列, 错误说明, then the file's own columns (cells always
    text), so the rows can be fixed in Excel and the report uploaded again (its first three columns are ignored).

    `result` has `headers` and `errors` (each with `row`, `columns`, `message`, `cells` and `problems` naming the
    bad fields); `header_index` maps a normalised header to its field, `header_key`/`cell_text` are the importer's
    own normalisers. Shared by the complaint import and the credit-event import."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    report_keys = {header_key(REPORT_ROW_HEADER), header_key(REPORT_COLUMN_HEADER), header_key(REPORT_MESSAGE_HEADER)}
    book = Workbook(write_only=True)
    sheet = book.create_sheet("错误行")
    keep = [i for i, header in enumerate(result.headers) if header and header_key(header) not in report_keys]
    headers = [result.headers[i] for i in keep]
    bad_fill = PatternFill("solid", fgColor="FDECEA")
    wrap = Alignment(wrap_text=True, vertical="top")

    def cell(value, *, bold=False, fill=None):
        text = ILLEGAL_CHARACTERS_RE.sub("", cell_text(value))
        item = WriteOnlyCell(sheet, value=text or None)
        if item.value is not None:
            item.data_type = "s"  # never a formula, whatever the file had
        item.number_format = "@"
        if bold:
            item.font = Font(bold=True)
        if fill is not None:
            item.fill = fill
        return item

    for index, width in enumerate([8, 16, 60] + [16] * len(headers)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append([cell(h, bold=True) for h in (REPORT_ROW_HEADER, REPORT_COLUMN_HEADER, REPORT_MESSAGE_HEADER,
                                                *headers)])
    fields = [header_index.get(header_key(h)) for h in headers]
    for error in result.errors:
        bad = {problem.field for problem in error.problems}
        message = cell(error.message)
        message.alignment = wrap
        values = [cell(error.cells[i] if i < len(error.cells) else "", fill=bad_fill if name in bad else None)
                  for i, name in zip(keep, fields, strict=True)]
        sheet.append([error.row, cell("、".join(error.columns)), message, *values])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plain_cells(sheet, values) -> list:
    """`values` for `sheet.append`, with every text that a spreadsheet would run as a formula ("=…") kept as text.

    A consumer can type =HYPERLINK("http://…","点此") into a complaint, a survey comment or (via an import) a business
    name; staff open the export in Excel, where it must stay words (docs/security.md, "a malicious import file")."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            value = cell
        cells.append(value)
    return cells
