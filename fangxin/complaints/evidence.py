"""Evidence files: images or PDF, recognised by their content (magic bytes), not by the name they carry."""

import hashlib
from dataclasses import dataclass

from django.conf import settings

from fangxin.core.exceptions import ValidationFailed

SIGNATURES = (  # (content type, allowed extensions, test on the first bytes)
    ("image/jpeg", {"jpg", "jpeg"}, lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/png", {"png"}, lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/gif", {"gif"}, lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    ("image/webp", {"webp"}, lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    ("application/pdf", {"pdf"}, lambda head: head.startswith(b"%PDF-")),
)


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> tuple[str, set[str]] | None:
    for content_type, extensions, test in SIGNATURES:
        if test(head):
            return content_type, extensions
    return None


def check(uploads) -> list[CheckedFile]:
    """Every file must be a real image or PDF whose name matches what it is, within the count and size limits."""
    uploads = [u for u in uploads if u]
    limit, max_bytes = settings.FANGXIN_EVIDENCE_MAX_FILES, settings.FANGXIN_EVIDENCE_MAX_BYTES
    if len(uploads) > limit:
        raise ValidationFailed(f"证据材料最多 {limit} 个文件。", details={"field": "files"})
    checked = []
    for upload in uploads:
        name = (getattr(upload, "name", "") or "file")[-200:]
        if upload.size > max_bytes:
            raise ValidationFailed(f"文件“{name}”超过 {max_bytes // (1024 * 1024)} MB。", details={"field": "files"})
        if upload.size == 0:
            raise ValidationFailed(f"文件“{name}”是空文件。", details={"field": "files"})
        upload.seek(0)
        head = upload.read(16)
        found = sniff(head)
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if found is None:
            raise ValidationFailed(f"文件“{name}”不是图片或 PDF，请上传照片、截图或 PDF 文件。", details={"field": "files"})
        content_type, extensions = found
        if extension not in extensions:
            raise ValidationFailed(f"文件“{name}”的扩展名与内容不符（实际是 {content_type}）。", details={"field": "files"})
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(CheckedFile(upload, name, content_type, upload.size, digest.hexdigest()))
    return checked
