"""Where an import page keeps its result and error report between the upload and the user's next click.

Files live under FANGXIN_VAR_DIR/<subdirectory> with a random token for a name, for 7 days; only the user who ran
the import can open them (anyone else, and any token that does not exist, gets 404). Used by the registry import
and the complaint import.
"""

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
