"""The certificate PDF: A4 landscape, the title's words drawn in the CJK font, the QR code to the profile."""

import re
import zlib

import pytest
from django.conf import settings
from django.urls import reverse

from fangxin.campaign.titles import certificate
from fangxin.campaign.titles.tests.factories import award, make_application, open_cycle, sign_both

A4_LONG, A4_SHORT = 841.89, 595.28  # points


@pytest.fixture
def title(users, entities):
    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    return award(application, users["office"])


def _streams(pdf: bytes) -> list[bytes]:
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return out


def _literal_strings(content: bytes):
    """The operands of `(...) Tj` in a content stream, PDF escapes undone."""
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    i = 0
    while (start := content.find(b"(", i)) != -1:
        out, i, depth = bytearray(), start + 1, 1
        while i < len(content):
            byte = content[i]
            if byte == 0x5C:  # backslash
                following = content[i + 1]
                if 0x30 <= following <= 0x37:
                    digits = re.match(rb"[0-7]{1,3}", content[i + 1:i + 4]).group(0)
                    out.append(int(digits, 8))
                    i += 1 + len(digits)
                    continue
                out += escapes.get(following, bytes([following]))
                i += 2
                continue
            if byte == 0x28:
                depth += 1
            elif byte == 0x29:
                depth -= 1
                if depth == 0:
                    break
            out.append(byte)
            i += 1
        i += 1
        yield bytes(out)


def pdf_text(pdf: bytes) -> str:
    """Text of every Tj, mapped through the font's ToUnicode CMap (fpdf2 writes 2-byte glyph codes)."""
    streams = _streams(pdf)
    cmap = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for code, uni in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", block):
                cmap[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    lines = []
    for stream in streams:
        if b" Tj" not in stream:
            continue
        for raw in _literal_strings(stream):
            lines.append("".join(cmap.get(int.from_bytes(raw[k:k + 2], "big"), "?") for k in range(0, len(raw) - 1, 2)))
    return "\n".join(lines)


def test_the_certificate_is_an_a4_landscape_pdf(title):
    pdf = certificate.render_certificate(title)
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes
    for width, height in boxes:
        width, height = float(width), float(height)
        assert width > height
        assert (round(width), round(height)) == (round(A4_LONG), round(A4_SHORT))


def test_the_certificate_carries_the_title_business_number_bodies_date_and_validity(title):
    text = pdf_text(certificate.render_certificate(title))
    assert title.name == f"{title.year}年度临河区放心消费示范单位"
    assert title.name in text
    assert "临河区华联超市" in text
    assert title.certificate_no in text
    assert "临河区消费者权益保护工作联席会议办公室" in text and "临河区消费者协会" in text
    day = title.awarded_on
    assert f"{day.year}年{day.month}月{day.day}日" in text
    assert f"有效期至：{title.valid_until.year}年12月31日" in text
    assert title.entity.uscc in text


def test_the_certificate_has_a_qr_code_to_the_public_profile(title, monkeypatch):
    encoded = []
    real_qr_png = certificate.qr_png
    monkeypatch.setattr(certificate, "qr_png", lambda url, **kw: encoded.append(url) or real_qr_png(url, **kw))
    pdf = certificate.render_certificate(title)
    assert b"/Subtype /Image" in pdf
    assert encoded == [certificate.profile_url(title)]
    assert certificate.profile_url(title) == settings.FANGXIN_SITE_URL + reverse("campaign:profile",
                                                                                 args=[title.entity.uscc])
    title_meta = re.search(rb"/Title <feff([0-9a-f]+)>", pdf).group(1)
    assert bytes.fromhex(title_meta.decode()).decode("utf-16-be") == f"{title.name} {title.certificate_no}"
