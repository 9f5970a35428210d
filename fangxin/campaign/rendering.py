"""Printable and embeddable badges: the A4 poster (PDF), the badge image (SVG, PNG) and the online-shop snippet."""

import io
from functools import lru_cache
from pathlib import Path

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from fangxin.organisation.selectors import dimension_list

FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2 = Simplified Chinese
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
)
RED = (164, 22, 26)


def verification_url(enrollment) -> str:
    return settings.FANGXIN_SITE_URL + reverse("campaign:verify", args=[enrollment.badge_token])


def qr_svg(url: str, scale: int = 4) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True,
                                   dark="#1a1a1a")
    return buffer.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def badge_svg(enrollment) -> str:
    """A 300×380 badge: the mark, the title, the shop name, the QR code to verify it and the serial."""
    qr = segno.make(verification_url(enrollment), error="m")
    size = qr.symbol_size(scale=5, border=2)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=False, dark="#1a1a1a")
    inner = buffer.getvalue().decode("utf-8")
    offset = (300 - size) // 2
    name = escape(enrollment.entity.name)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="380" viewBox="0 0 300 380" role="img" '
        f'aria-label="放心消费创建单位 {name}">'
        '<rect x="2" y="2" width="296" height="376" rx="16" fill="#fff" stroke="#a4161a" stroke-width="4"/>'
        '<rect x="2" y="2" width="296" height="64" rx="16" fill="#a4161a"/>'
        '<text x="150" y="44" font-size="26" font-weight="700" fill="#fff" text-anchor="middle" '
        'font-family="Noto Sans CJK SC, sans-serif">放心消费创建单位</text>'
        f'<text x="150" y="94" font-size="16" fill="#1a1a1a" text-anchor="middle" '
        f'font-family="Noto Sans CJK SC, sans-serif">{name}</text>'
        f'<g transform="translate({offset},108)">{inner}</g>'
        f'<text x="150" y="{116 + size}" font-size="13" fill="#4a4a4a" text-anchor="middle" '
        f'font-family="Noto Sans CJK SC, sans-serif">扫码核验 · 编号 {escape(enrollment.serial)}</text>'
        '</svg>'
    )


@lru_cache(maxsize=1)
def cjk_font_path() -> tuple[str, int]:
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index
    raise FileNotFoundError("缺少中文字体：请安装 Debian 软件包 fonts-noto-cjk")


def badge_png(enrollment) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    path, index = cjk_font_path()
    title_font = ImageFont.truetype(path, 52, index=index)
    text_font = ImageFont.truetype(path, 30, index=index)
    image = Image.new("RGB", (600, 780), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 596, 776), radius=32, outline=RED, width=8)
    draw.rounded_rectangle((4, 4, 596, 132), radius=32, fill=RED)
    draw.text((300, 68), "放心消费创建单位", font=title_font, fill="white", anchor="mm")
    draw.text((300, 180), enrollment.entity.name[:18], font=text_font, fill=(26, 26, 26), anchor="mm")
    qr = Image.open(io.BytesIO(qr_png(verification_url(enrollment), scale=10))).convert("RGB")
    qr = qr.resize((440, 440))
    image.paste(qr, (80, 220))
    draw.text((300, 700), f"扫码核验 · 编号 {enrollment.serial}", font=text_font, fill=(74, 74, 74), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def online_snippet(enrollment) -> str:
    """HTML for a web shop: the badge image links to the live verification page."""
    url = escape(verification_url(enrollment))
    image = escape(settings.FANGXIN_SITE_URL + reverse("campaign:badge_svg", args=[enrollment.serial]))
    return (f'<a href="{url}" target="_blank" rel="noopener" title="放心消费创建单位：点击核验">'
            f'<img src="{image}" width="150" height="190" alt="放心消费创建单位 {escape(enrollment.entity.name)}，点击核验">'
            '</a>')


def poster_pdf(enrollment) -> bytes:
    """The A4 poster for the shop wall: title, shop, the five commitments and the ones chosen, the QR code."""
    from fpdf import FPDF

    path, index = cjk_font_path()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_draw_color(*RED)
    pdf.set_line_width(2)
    pdf.rect(8, 8, 194, 281)
    pdf.set_fill_color(*RED)
    pdf.rect(8, 8, 194, 34, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("cjk", size=34)
    pdf.set_xy(8, 14)
    pdf.cell(194, 22, "放心消费创建单位", align="C")
    pdf.set_text_color(26, 26, 26)
    pdf.set_font("cjk", size=22)
    pdf.set_xy(14, 50)
    pdf.multi_cell(182, 11, enrollment.entity.name, align="C")
    pdf.set_font("cjk", size=12)
    pdf.set_x(14)
    pdf.multi_cell(182, 7, f"{enrollment.entity.region.name} · {enrollment.entity.address}", align="C")
    pdf.ln(3)
    pdf.set_font("cjk", size=14)
    pdf.set_x(20)
    pdf.cell(170, 9, "我们向社会公开承诺：", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=12)
    for dimension in dimension_list():
        pdf.set_x(24)
        pdf.multi_cell(166, 7, f"■{dimension.name}：{dimension.summary}")  # no space: fpdf would break there
    chosen = list(enrollment.specific_commitments.all())
    if chosen:
        pdf.set_x(24)
        pdf.multi_cell(166, 7, "★本店另行承诺：" + "、".join(c.name for c in chosen))
    pdf.image(io.BytesIO(qr_png(verification_url(enrollment), scale=12)), x=65, y=max(pdf.get_y() + 6, 170), w=80)
    pdf.set_font("cjk", size=12)
    pdf.set_xy(14, 262)
    pdf.multi_cell(182, 7, f"手机扫码核验真伪与当前状态 · 编号 {enrollment.serial}\n"
                           f"投诉举报请拨打 12315 · 统一承诺第 {enrollment.commitment.version} 版", align="C")
    return bytes(pdf.output())
