"""The printable certificate of a demonstration title: an A4 landscape PDF drawn with fpdf2 and the system CJK
font the campaign poster uses (campaign.rendering.cjk_font_path), with a QR code to the public profile."""

import io

from django.conf import settings
from django.urls import reverse

from fangxin.campaign.rendering import RED, cjk_font_path, qr_png

INK = (26, 26, 26)
MUTED = (74, 74, 74)
GOLD = (176, 132, 40)


def profile_url(title) -> str:
    """What the QR code opens: the business's public profile, which shows its titles and their status."""
    return settings.FANGXIN_SITE_URL + reverse("campaign:profile", args=[title.entity.uscc])


def awarding_bodies(title) -> list[str]:
    region = title.region.name
    return [f"{region}消费者权益保护工作联席会议办公室", f"{region}消费者协会"]


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render_certificate(title) -> bytes:
    """A4 landscape (297 × 210 mm): frame, 荣誉证书, the business, the title, number, awarding bodies, date,
    validity and the QR code."""
    from fpdf import FPDF

    path, index = cjk_font_path()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"{title.name} {title.certificate_no}")
    pdf.set_creator("放心消费创建工作平台")
    pdf.add_page()
    pdf.add_font("cjk", "", path, collection_font_number=index)
    width, height = pdf.w, pdf.h

    # the frame: a broad red border with a thin gold line inside
    pdf.set_draw_color(*RED)
    pdf.set_line_width(3)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.6)
    pdf.rect(13, 13, width - 26, height - 26)

    text_x, text_w = 28, width - 56
    pdf.set_text_color(*RED)
    pdf.set_font("cjk", size=40)
    pdf.set_xy(text_x, 24)
    pdf.cell(text_w, 18, "荣 誉 证 书", align="C")

    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=24)
    pdf.set_xy(text_x, 54)
    pdf.multi_cell(text_w, 12, title.entity.name, align="C")
    pdf.set_font("cjk", size=15)
    pdf.set_x(text_x)
    pdf.multi_cell(text_w, 9, "经自愿申报、对标评审和社会公示，被认定为", align="C")
    pdf.ln(2)
    pdf.set_text_color(*RED)
    pdf.set_font("cjk", size=30)
    pdf.set_x(text_x)
    pdf.multi_cell(text_w, 15, title.name, align="C")
    pdf.set_text_color(*MUTED)
    pdf.set_font("cjk", size=14)
    pdf.set_x(text_x)
    pdf.multi_cell(text_w, 8, f"（{title.get_level_display()}）特发此证，以资鼓励。", align="C")

    # bottom left: the facts; bottom centre: the QR code; bottom right: the awarding bodies and the date
    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=12)
    pdf.set_xy(text_x, 150)
    pdf.multi_cell(100, 7, f"证书编号：{title.certificate_no}\n"
                           f"统一社会信用代码：{title.entity.uscc}\n"
                           f"授予日期：{_cn(title.awarded_on)}\n"
                           f"有效期至：{_cn(title.valid_until)}")

    qr_size = 34
    qr_x = (width - qr_size) / 2
    pdf.image(io.BytesIO(qr_png(profile_url(title), scale=8)), x=qr_x, y=142, w=qr_size, h=qr_size)
    pdf.set_font("cjk", size=9)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(qr_x - 13, 177)
    pdf.cell(qr_size + 26, 5, "扫码查看单位公开信息与称号状态", align="C")

    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=13)
    pdf.set_xy(width - text_x - 110, 150)
    pdf.multi_cell(110, 8, "\n".join([*awarding_bodies(title), _cn(title.awarded_on)]), align="R")
    pdf.set_text_color(*RED)
    pdf.set_font("cjk", size=11)
    pdf.set_xy(width - text_x - 110, pdf.get_y() + 1)
    pdf.cell(110, 6, "（印章）", align="R")
    return bytes(pdf.output())
