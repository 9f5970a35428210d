"""The shared upload checker and file server (fangxin.core.uploads): what a hostile upload can and cannot do."""

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter

from fangxin.complaints import services as complaint_services
from fangxin.complaints.choices import Channel
from fangxin.complaints.models import ComplaintFile
from fangxin.complaints.tests.factories import PUBLIC
from fangxin.core import uploads
from fangxin.core.exceptions import ValidationFailed
from fangxin.core.tests import samples

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp|pdf|docx|xlsx)$")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refused(name: str, data: bytes, **kwargs) -> str:
    with pytest.raises(ValidationFailed) as caught:
        uploads.check(upload(name, data), **kwargs)
    return caught.value.message


# --- images -----------------------------------------------------------------------------------------------------------

def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"        # Make
    exif[0x0112] = 6                   # Orientation: rotate 90° to display
    exif[0x8825] = {1: "N", 2: (40.0, 49.0, 12.5), 3: "E", 4: (111.0, 40.0, 3.2)}  # GPSInfo: latitude, longitude
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 200)).save(out, "JPEG", exif=exif, comment=b"<script>alert(1)</script>")
    return out.getvalue()


def test_a_jpeg_with_exif_gps_comes_out_without_it():
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the test photo really carries a position
    checked = uploads.check(upload("现场照片.JPG", original))
    stored = checked.file.read()
    with Image.open(io.BytesIO(stored)) as after:
        assert not after.getexif() and "exif" not in after.info and "comment" not in after.info
        assert after.size == (20, 40)  # the EXIF orientation was applied to the pixels before it was dropped
    assert b"GPS" not in stored and b"PhoneMaker" not in stored and b"<script>" not in stored
    assert checked.content_type == "image/jpeg" and checked.name == "现场照片.JPG"
    assert checked.size == len(stored) and RANDOM_NAME.match(checked.stored_name)


def test_bytes_appended_to_an_image_are_dropped():
    polyglot = samples.PNG + b"<html><script>alert(document.cookie)</script></html>"
    stored = uploads.check(upload("a.png", polyglot)).file.read()
    assert b"<script>" not in stored and stored == samples.PNG


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    assert "尺寸过大" in refused("bomb.png", png_claiming(100_000, 100_000))  # 10^10 pixels in a 100-byte file


def test_the_pixel_limit_is_a_setting(settings):
    settings.FANGXIN_UPLOAD_MAX_IMAGE_PIXELS = 100
    assert "尺寸过大" in refused("photo.jpg", samples.JPEG)  # 16 × 16 = 256 pixels
    settings.FANGXIN_UPLOAD_MAX_IMAGE_PIXELS = 1000
    assert uploads.check(upload("photo.jpg", samples.JPEG)).kind is uploads.JPEG


def test_a_truncated_image_is_refused():
    assert "已损坏" in refused("a.png", samples.PNG[:40])


# --- kinds and names --------------------------------------------------------------------------------------------------

def test_a_png_renamed_pdf_is_refused():
    assert "扩展名与内容不符" in refused("合同.pdf", samples.PNG)


def test_an_html_file_named_jpg_is_refused():
    message = refused("photo.jpg", b"<!DOCTYPE html><html><script>fetch('/api')</script></html>")
    assert "不是图片或 PDF" in message


def test_each_site_has_its_allow_list():
    docx = office_file("word/document.xml")
    assert "不是图片或 PDF" in refused("说明.docx", docx)  # evidence: images and PDF only
    assert uploads.check(upload("说明.docx", docx), allowed=uploads.DOCUMENTS).kind is uploads.DOCX
    assert "不是图片" in refused("a.pdf", samples.PDF, allowed=uploads.IMAGES)


def office_file(*parts: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for part in parts:
            archive.writestr(part, "<x/>")
    return out.getvalue()


def test_a_macro_enabled_workbook_is_refused():
    message = refused("报表.xlsx", office_file("xl/workbook.xml", "xl/vbaProject.bin"), allowed=uploads.DOCUMENTS)
    assert "不是" in message
    assert uploads.check(upload("报表.xlsx", office_file("xl/workbook.xml")), allowed=uploads.DOCUMENTS).kind is uploads.XLSX


def test_size_and_empty_limits():
    assert "超过" in refused("a.png", samples.PNG, max_bytes=50)
    assert "空文件" in refused("a.png", b"")


@pytest.mark.parametrize("name", ["../../etc/passwd.png", "..\\..\\windows\\system32\\a.png", "/abs/path/a.png",
                                  "a\x00.png", "dir/sub/../a.png"])
def test_a_path_traversal_name_is_display_only(name):
    checked = uploads.check(upload(name, samples.PNG))
    assert RANDOM_NAME.match(checked.stored_name)
    assert "/" not in checked.name and "\\" not in checked.name and "\x00" not in checked.name


@pytest.mark.django_db
def test_a_complaint_upload_with_a_traversal_name_is_stored_under_a_server_name(reference, media):
    complaint, _ = complaint_services.complaint_submit(
        actor=PUBLIC, channel=Channel.WEB, files=[upload("../../../../etc/cron.d/x.png", samples.PNG)],
        data=complaint_services.ComplaintInput(
            complainant_name="张三", complainant_phone="13800001234", business_name="临河区华联超市", item="牛奶",
            description="过期牛奶", demand="退款", region_code="150802"))
    stored = ComplaintFile.objects.get(complaint=complaint)
    assert stored.original_name == "x.png"
    assert stored.file.name.startswith("complaints/") and ".." not in stored.file.name and "cron" not in stored.file.name
    assert (media / stored.file.name).is_file() and not list(media.parent.glob("etc"))


# --- PDFs --------------------------------------------------------------------------------------------------------------

def pdf(pages: int = 1, build=None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_clean_pdf_is_kept_byte_for_byte():
    data = pdf(2)
    checked = uploads.check(upload("报告.pdf", data))
    assert checked.file.read() == data and checked.kind is uploads.PDF


def add_js(writer, code: str) -> None:
    """Document-level JavaScript (the /Names /JavaScript tree), run by a reader when the file opens."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    action = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject(code)}))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), action])})
    writer._root_object[NameObject("/Names")] = writer._add_object(
        DictionaryObject({NameObject("/JavaScript"): tree}))


def test_a_pdf_with_javascript_is_refused():
    message = refused("发票.pdf", pdf(build=lambda w: add_js(w, "app.alert('x');")))
    assert "含有脚本" in message


def test_a_pdf_with_an_open_action_or_an_embedded_file_is_refused():
    def open_action(writer):
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject
        action = DictionaryObject({NameObject("/S"): NameObject("/URI"),
                                   NameObject("/URI"): TextStringObject("http://evil.example/")})
        writer._root_object[NameObject("/OpenAction")] = action

    assert "含有脚本" in refused("a.pdf", pdf(build=open_action))
    assert "含有脚本" in refused("b.pdf", pdf(build=lambda w: w.add_attachment("run.exe", b"MZ\x90")))


def test_an_obfuscated_javascript_name_is_caught_by_the_parser():
    # "/J#61vaScript" is "/JavaScript" to a PDF reader, but not to a byte search.
    data = pdf(build=lambda w: add_js(w, "app.alert(1);")).replace(b"/JavaScript", b"/J#61vaScript")
    data = re.sub(rb"/JS(?=[\s(<])", b"/J#53", data)
    assert not uploads.PDF_ACTIVE.search(data)
    assert "含有脚本" in refused("c.pdf", data)


def test_an_encrypted_pdf_is_refused():
    def encrypt(writer):
        writer.encrypt(user_password="1234", owner_password="5678")

    assert "加密" in refused("secret.pdf", pdf(build=encrypt))


def test_too_many_pages_are_refused(settings):
    settings.FANGXIN_UPLOAD_PDF_MAX_PAGES = 2
    assert "超过 2 页" in refused("book.pdf", pdf(3))
    assert uploads.check(upload("short.pdf", pdf(2))).kind is uploads.PDF


def test_a_broken_pdf_is_refused():
    assert "已损坏" in refused("x.pdf", b"%PDF-1.4 nothing else")


# --- fuzzing ------------------------------------------------------------------------------------------------------------

@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=512) | st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"%PDF-", b"PK\x03\x04",
                                                   b"RIFF\x00\x00\x00\x00WEBP"]).flatmap(
    lambda head: st.binary(max_size=256).map(lambda tail: head + tail)))
def test_the_sniffer_never_raises(data):
    kind = uploads.sniff(data)
    assert kind is None or kind in uploads.KINDS.values()


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.text(max_size=40), data=st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"%PDF-1.7\n", b""])
       .flatmap(lambda head: st.binary(max_size=300).map(lambda tail: head + tail)))
def test_the_checker_only_ever_refuses_with_a_message(name, data):
    """Whatever the name and the bytes: either a clean file under a random name, or a Chinese ValidationFailed."""
    try:
        checked = uploads.check(ContentFile(data, name=name))  # any name at all: no Django sanitising in between
    except ValidationFailed as exc:
        assert exc.message and exc.details["field"] == "file"
    else:
        assert RANDOM_NAME.match(checked.stored_name)


# --- serving ------------------------------------------------------------------------------------------------------------

def test_served_headers_for_an_image():
    response = uploads.serve(ContentFile(samples.PNG, name="x.png"), content_type="image/png",
                             filename='../"收据"\r\n.png')
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;") and "default-src 'none'" in \
        response["Content-Security-Policy"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename=\"") and "filename*=UTF-8''" in disposition
    assert "\r" not in disposition and "\n" not in disposition and "../" not in disposition
    assert "%E6%94%B6%E6%8D%AE" in disposition  # 收据, RFC 5987-encoded
    assert response["Cache-Control"] == "private, no-store"


def test_an_unknown_or_active_type_is_never_served_inline():
    response = uploads.serve(ContentFile(b"<script>alert(1)</script>", name="x.html"), content_type="text/html",
                             filename="page.html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"].startswith("sandbox")
    docx = uploads.serve(ContentFile(b"PK", name="x.docx"), content_type=uploads.DOCX.content_type, filename="a.docx")
    assert docx["Content-Disposition"].startswith("attachment;") and docx["Content-Type"] == uploads.DOCX.content_type


def test_a_pdf_opens_inline_without_script_permissions():
    response = uploads.serve(ContentFile(samples.PDF, name="x.pdf"), content_type="application/pdf", filename="a.pdf")
    assert response["Content-Disposition"].startswith("inline;")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]  # falls back to default-src 'none'


@pytest.mark.django_db
def test_a_real_evidence_download_carries_the_safe_headers(client, users, media):
    complaint, _ = complaint_services.complaint_submit(
        actor=PUBLIC, channel=Channel.WEB, files=[upload("现场.jpg", jpeg_with_gps())],
        data=complaint_services.ComplaintInput(
            complainant_name="张三", complainant_phone="13800001234", business_name="临河区华联超市", item="牛奶",
            description="过期牛奶", demand="退款", region_code="150802"))
    stored = complaint.files.get()
    client.force_login(users["county_a"])
    response = client.get(reverse("complaints:evidence", args=[complaint.tracking_no, stored.pk]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA.jpg" in response["Content-Disposition"]
    assert b"GPS" not in body and b"PhoneMaker" not in body


# --- the request size cap ------------------------------------------------------------------------------------------------

def test_an_oversized_request_body_is_not_read(settings, rf):
    settings.FANGXIN_UPLOAD_REQUEST_MAX_BYTES = 4000
    big = rf.post("/", {"note": "x", "file": upload("a.png", samples.PNG + b"\x00" * 8000)})
    with pytest.raises(RequestDataTooBig):
        big.FILES  # noqa: B018 - parsing is refused before anything is read or written to a temporary file
    small = rf.post("/", {"note": "x", "file": upload("a.png", samples.PNG)})
    assert small.FILES["file"].read() == samples.PNG and small.POST["note"] == "x"


@pytest.mark.django_db
def test_an_oversized_complaint_upload_is_the_bad_request_page_not_an_error(client, entities, settings, media):
    settings.FANGXIN_UPLOAD_REQUEST_MAX_BYTES = 4000
    response = client.post(reverse("complaints:file"), {"complainant_name": "张三", "files": [
        upload("photo.png", samples.PNG + b"\x00" * 8000)]})
    assert response.status_code == 400 and "请求有误" in response.content.decode()
    assert not ComplaintFile.objects.exists() and not list(media.rglob("*"))
