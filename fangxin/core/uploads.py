"""The one checker and the one server for files users upload (docs/security.md, "upload attacks").

Every upload site (complaint evidence, title and credit-repair evidence, objections, inspection documents, supervision
attachments, content attachments) calls `check()`/`check_many()` with its allow-list; every download calls `serve()`.

- The kind is decided by the content (magic bytes), never by the name or the Content-Type the browser sent, and the
  name's extension must agree with it (a PNG called .pdf and an HTML page called .jpg are both refused).
- Images are decoded and re-encoded with Pillow: EXIF (GPS position, camera serial), comments and other chunks are
  dropped, anything appended to the image is dropped, and a picture claiming too many pixels is refused before it is
  decoded (decompression bomb).
- PDFs are parsed with pypdf: encrypted ones, ones with too many pages and ones with active content (JavaScript,
  an automatic action on opening, launch actions, embedded files) are refused.
- The stored name is random and chosen here; the user's name is kept only as display metadata.
- `serve()` sends the stored kind's Content-Type, nosniff, a sandboxing CSP and a sanitised RFC 5987 file name.
"""

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse

from .exceptions import ValidationFailed


@dataclass(frozen=True)
class Kind:
    code: str
    content_type: str
    extension: str              # the extension a stored file of this kind gets
    extensions: frozenset       # the extensions a user's file of this kind may carry
    label: str
    pil_format: str = ""        # images only: the Pillow format it is decoded and re-encoded as


JPEG = Kind("jpeg", "image/jpeg", "jpg", frozenset({"jpg", "jpeg"}), "JPG", "JPEG")
PNG = Kind("png", "image/png", "png", frozenset({"png"}), "PNG", "PNG")
WEBP = Kind("webp", "image/webp", "webp", frozenset({"webp"}), "WebP", "WEBP")
PDF = Kind("pdf", "application/pdf", "pdf", frozenset({"pdf"}), "PDF")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
            frozenset({"docx"}), "DOCX")
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
            frozenset({"xlsx"}), "XLSX")
KINDS = {kind.code: kind for kind in (JPEG, PNG, WEBP, PDF, DOCX, XLSX)}
BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS.values()}

# Allow-lists of the upload sites.
IMAGES = (JPEG, PNG, WEBP)
IMAGES_AND_PDF = (*IMAGES, PDF)
DOCUMENTS = (*IMAGES_AND_PDF, DOCX, XLSX)   # content attachments: Word and Excel were allowed there before

# Served inline (opened in the browser) only when the stored kind is one of these; everything else is a download.
INLINE_TYPES = frozenset({JPEG.content_type, PNG.content_type, WEBP.content_type, PDF.content_type})

# Names that make a PDF do something when opened or clicked, or carry other files. Matched on the raw bytes as well as
# on the parsed structure, so a PDF whose structure pypdf only half understands is judged by both.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|OpenAction|AA|RichMedia|SubmitForm|ImportData|"
                        rb"GoToE|XFA)(?![A-Za-z0-9#_.-])")
PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute"})


@dataclass(frozen=True)
class CheckedUpload:
    file: ContentFile      # the bytes to store (re-encoded for images), named `stored_name`
    name: str              # the user's file name, for display only
    kind: Kind
    size: int
    sha256: str            # of the stored bytes

    @property
    def upload(self) -> ContentFile:
        return self.file

    @property
    def content_type(self) -> str:
        return self.kind.content_type

    @property
    def stored_name(self) -> str:
        return self.file.name


# --- sniffing -------------------------------------------------------------------------------------------------------

def sniff(data: bytes) -> Kind | None:
    """The kind of a file by its first bytes (and, for Office files, its zip directory); None if not one we accept.

    Never raises, whatever the bytes (tests/security and core/tests/test_uploads.py fuzz it)."""
    try:
        data = bytes(data)
    except (TypeError, ValueError):
        return None
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def _office_kind(data: bytes) -> Kind | None:
    """DOCX or XLSX by the parts the zip holds; macro-enabled documents (a VBA project inside) are not accepted."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {info.filename.lower() for info in archive.infolist()}
    except Exception:  # zipfile raises many types on hostile input; any of them means "not a document"
        return None
    if any(name.endswith("vbaproject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


# --- checking -------------------------------------------------------------------------------------------------------

def display_name(raw: str | None, default: str = "文件") -> str:
    """The user's file name without any directory part or control characters, for display and Content-Disposition."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '"<>|*?:').strip(" .")
    return name[-120:] or default


def _what(allowed) -> str:
    names = {IMAGES: "图片", IMAGES_AND_PDF: "图片或 PDF", DOCUMENTS: "图片、PDF、DOCX 或 XLSX"}
    return names.get(tuple(allowed)) or "、".join(kind.label for kind in allowed)


def check(upload, *, allowed=IMAGES_AND_PDF, max_bytes: int | None = None, field: str = "file") -> CheckedUpload:
    """An acceptable upload, cleaned and renamed; ValidationFailed (Chinese message) otherwise."""
    name = display_name(getattr(upload, "name", ""))
    limit = min(max_bytes or settings.FANGXIN_UPLOAD_MAX_BYTES, settings.FANGXIN_UPLOAD_MAX_BYTES)
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationFailed(f"文件“{name}”超过 {_mb(limit)} MB。", details={"field": field})
    data = _read(upload, limit)
    if len(data) > limit:
        raise ValidationFailed(f"文件“{name}”超过 {_mb(limit)} MB。", details={"field": field})
    if not data:
        raise ValidationFailed(f"文件“{name}”是空文件。", details={"field": field})
    kind = sniff(data)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None or kind not in allowed:
        what = _what(allowed)
        named_as = any(extension in item.extensions for item in allowed)
        mismatch = f"（内容与扩展名 .{extension} 不符）" if named_as else ""
        raise ValidationFailed(f"文件“{name}”不是{what}{mismatch}，请上传{what}文件。", details={"field": field})
    if extension not in kind.extensions:
        raise ValidationFailed(f"文件“{name}”的扩展名与内容不符（实际是 {kind.label} 文件）。", details={"field": field})
    if kind.pil_format:
        data = _reencode(data, kind, name, field)
    elif kind is PDF:
        _check_pdf(data, name, field)
    stored = ContentFile(data, name=f"{secrets.token_hex(16)}.{kind.extension}")
    return CheckedUpload(stored, name, kind, len(data), hashlib.sha256(data).hexdigest())


def check_many(uploads, *, allowed=IMAGES_AND_PDF, max_files: int, max_bytes: int, field: str = "files",
               noun: str = "证据材料") -> list[CheckedUpload]:
    uploads = [item for item in (uploads or []) if item]
    if len(uploads) > max_files:
        raise ValidationFailed(f"{noun}最多 {max_files} 个文件。", details={"field": field})
    return [check(item, allowed=allowed, max_bytes=max_bytes, field=field) for item in uploads]


def _mb(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


def _read(upload, limit: int) -> bytes:
    """At most limit + 1 bytes, so a file whose declared size lies cannot make us read without end."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks, total = [], 0
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            break
    if hasattr(upload, "seek"):
        upload.seek(0)
    return b"".join(chunks)


def _reencode(data: bytes, kind: Kind, name: str, field: str) -> bytes:
    """The image decoded and saved again with nothing but its pixels (orientation applied, metadata dropped)."""
    from PIL import Image, ImageOps

    max_pixels = settings.FANGXIN_UPLOAD_MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow's own guard in open(): warns above it, raises above twice it
    too_big = ValidationFailed(f"图片“{name}”尺寸过大（超过 {max_pixels // 1_000_000} 百万像素），请缩小后再上传。",
                               details={"field": field})
    try:
        # open() reads the header only; the size is judged here, before any pixel is decoded. (No warnings filter:
        # it is process-global and not thread-safe; Pillow's own error above twice the limit is caught below.)
        with Image.open(io.BytesIO(data), formats=[kind.pil_format]) as image:
            if image.width * image.height > max_pixels:
                raise too_big
            image.seek(0)  # an animated WebP keeps its first frame only
            image.load()
            clean = ImageOps.exif_transpose(image)  # keep the photo upright once its EXIF orientation is gone
            clean.info = {}   # comments, EXIF, XMP, ICC, text chunks: none of them is written back
            return _save(clean, kind)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # the warning, where filters raise it
        raise too_big from None
    except Exception:  # Pillow raises many types on corrupt input; all mean "not a usable image"
        raise ValidationFailed(f"图片“{name}”已损坏或无法识别，请重新拍摄或截图后上传。", details={"field": field}) from None


def _save(image, kind: Kind) -> bytes:
    out = io.BytesIO()
    quality = settings.FANGXIN_UPLOAD_IMAGE_QUALITY
    if kind is JPEG:
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=quality, optimize=True)
    elif kind is PNG:
        if image.mode not in ("1", "L", "LA", "I", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "WEBP", quality=quality)
    return out.getvalue()


def _check_pdf(data: bytes, name: str, field: str) -> None:
    from pypdf import PdfReader

    def refuse(reason: str):
        return ValidationFailed(f"PDF 文件“{name}”{reason}", details={"field": field})

    if PDF_ACTIVE.search(data):
        raise refuse("含有脚本、自动操作或内嵌文件，不能接收。请打印为普通 PDF 或拍照后上传。")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise refuse("已加密或设有密码，请上传未加密的文件。")
        pages = len(reader.pages)
        active = _pdf_active_parts(reader)
    except ValidationFailed:
        raise
    except Exception:  # pypdf raises many types on corrupt input
        raise refuse("已损坏或无法读取，请重新生成后上传。") from None
    if pages == 0:
        raise refuse("没有页面。")
    if pages > settings.FANGXIN_UPLOAD_PDF_MAX_PAGES:
        raise refuse(f"共 {pages} 页，超过 {settings.FANGXIN_UPLOAD_PDF_MAX_PAGES} 页的上限。")
    if active:
        raise refuse("含有脚本、自动操作或内嵌文件，不能接收。请打印为普通 PDF 或拍照后上传。")


def _pdf_active_parts(reader) -> bool:
    """Active content in the parsed structure (catches names the raw scan misses, e.g. written as /J#61vaScript)."""
    root = reader.trailer["/Root"].get_object()
    if "/OpenAction" in root or "/AA" in root:
        return True
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        if "/JavaScript" in names or "/EmbeddedFiles" in names:
            return True
    for page in reader.pages:
        if "/AA" in page:
            return True
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            if action is not None and action.get_object().get("/S") in PDF_ACTIVE_ACTIONS:
                return True
            if annotation.get("/Subtype") in ("/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"):
                return True
    return False


class RequestSizeLimit(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: a multipart body declaring more than FANGXIN_UPLOAD_REQUEST_MAX_BYTES is refused
    before a byte of it is read, so an oversized upload never reaches the disk. Django answers 400 (the "请求有误"
    page), as it does for DATA_UPLOAD_MAX_MEMORY_SIZE; every limit a real user meets is lower and has its own message."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.FANGXIN_UPLOAD_REQUEST_MAX_BYTES:
            raise RequestDataTooBig(f"上传内容 {content_length} 字节，超过 FANGXIN_UPLOAD_REQUEST_MAX_BYTES。")

    def receive_data_chunk(self, raw_data, start):
        return raw_data  # pass every chunk on to the next handler

    def file_complete(self, file_size):
        return None


# --- serving --------------------------------------------------------------------------------------------------------

SANDBOX_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
# Browsers refuse to show a PDF in a sandboxed document, so an inline PDF gets the strict policy without `sandbox`;
# what it may not do (scripts, forms, embedded files) check() already refused at upload.
PDF_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'none'"


def content_disposition(filename: str, *, inline: bool) -> str:
    """An RFC 6266 header with an ASCII fallback and the UTF-8 name as RFC 5987 `filename*`."""
    name = display_name(filename, default="file")
    ascii_name = "".join(ch if 32 < ord(ch) < 127 and ch not in '"\\;%' else "_" for ch in name)
    stem, _, extension = ascii_name.rpartition(".")
    if not (stem if extension else ascii_name).strip("_"):   # nothing readable left of a Chinese name
        ascii_name = f"file.{extension}" if extension.strip("_") else "file"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def serve(field_file, *, content_type: str, filename: str, inline: bool = True) -> FileResponse:
    """A stored upload with safe headers. The Content-Type comes from the stored kind (anything unknown becomes a
    download of application/octet-stream); only images and PDFs may open in the browser."""
    kind = BY_CONTENT_TYPE.get((content_type or "").split(";")[0].strip().lower())
    served_type = kind.content_type if kind else "application/octet-stream"
    inline = inline and served_type in INLINE_TYPES
    response = FileResponse(field_file.open("rb"), content_type=served_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_CSP if inline and kind is PDF else SANDBOX_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def kind_of_stored(name: str) -> str:
    """The content type a stored file's server-chosen extension stands for (files stored before kinds were kept)."""
    extension = (name or "").rsplit(".", 1)[-1].lower()
    for kind in KINDS.values():
        if extension in kind.extensions:
            return kind.content_type
    return "application/octet-stream"
