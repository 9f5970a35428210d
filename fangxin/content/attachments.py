"""Attachment files: PDF, images, Word and Excel documents, recognised by their content (the first bytes) and
their extension together, never by the name alone."""

import hashlib
import os

from fangxin.core.exceptions import ValidationFailed

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
ZIP = b"PK\x03\x04"
KINDS = {  # extension → (content type, test on the first bytes)
    "pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    "jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             lambda head: head.startswith(ZIP)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", lambda head: head.startswith(ZIP)),
}


def check(upload) -> tuple[str, str, int, str]:
    """(safe name, content type, size, sha256) of an acceptable upload; ValidationFailed otherwise."""
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip()[-120:] or "附件"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = KINDS.get(extension)
    if kind is None:
        raise ValidationFailed("附件只能是 PDF、JPG、PNG、DOCX 或 XLSX 文件。", details={"field": "file"})
    if upload.size > MAX_BYTES:
        raise ValidationFailed("单个附件不能超过 10 MB。", details={"field": "file"})
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks():
        if not head:
            head = chunk[:16]
        digest.update(chunk)
    upload.seek(0)
    if not kind[1](head):
        raise ValidationFailed(f"文件内容与扩展名 .{extension} 不符。", details={"field": "file"})
    return name, kind[0], upload.size, digest.hexdigest()
