"""Official documents as issued (ComplaintDocument.content), as a printable page and as a PDF.

`content(document, masked=)` gives the text to show: for a reader who may not see the complainant's personal
information, the complainant's name, phone, email and address are replaced by their masked forms and the rest
goes through the triage masking. `render_pdf(document)` draws the same text with fpdf2 and the CJK font the
campaign poster uses (campaign.rendering.cjk_font_path)."""

from fangxin.campaign.rendering import cjk_font_path
from fangxin.complaints import triage_bridge
from fangxin.complaints.templatetags.complaint_tags import mask_name, mask_phone

SEAL = "（印章）"


def mask_complainant(text: str, complaint) -> str:
    """The complainant's own details replaced wherever they appear in a text, then the triage masking."""
    replacements = [(complaint.complainant_phone, mask_phone(complaint.complainant_phone)),
                    (complaint.complainant_id_number, "（证件号码已隐去）"),
                    (complaint.complainant_email, "***@***"),
                    (complaint.complainant_address, "（地址已隐去）"),
                    (complaint.complainant_name, mask_name(complaint.complainant_name))]
    for value, masked in replacements:
        if value:
            text = text.replace(value, masked)
    return triage_bridge.mask_text(text)


_mask = mask_complainant


def content(document, *, masked: bool = False) -> dict:
    """{"title", "to", "paragraphs", "tracking_no"} of the document as issued, masked if asked."""
    stored = document.content or {}
    data = {"title": stored.get("title") or document.get_kind_display(), "to": stored.get("to") or "",
            "paragraphs": list(stored.get("paragraphs") or []), "tracking_no": stored.get("tracking_no") or ""}
    if masked:
        complaint = document.complaint
        data["to"] = _mask(data["to"], complaint)
        data["paragraphs"] = [_mask(p, complaint) for p in data["paragraphs"]]
    return data


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render_pdf(document, *, masked: bool = False) -> bytes:
    """An A4 PDF of the document: issuer, title, number, addressee, paragraphs, date and the seal placeholder."""
    from fpdf import FPDF

    text = content(document, masked=masked)
    path, index = cjk_font_path()
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_page()
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_title(f"{text['title']} {document.number}")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_text_color(164, 22, 26)
    pdf.set_font("cjk", size=20)
    pdf.multi_cell(width, 12, document.issuer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(26, 26, 26)
    pdf.set_font("cjk", size=18)
    pdf.ln(2)
    pdf.multi_cell(width, 11, text["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(width, 8, document.number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(164, 22, 26)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.w - pdf.r_margin, pdf.get_y() + 2)
    pdf.ln(8)
    pdf.set_font("cjk", size=13)
    if text["to"]:
        pdf.multi_cell(width, 8, f"{text['to']}：", new_x="LMARGIN", new_y="NEXT")
    for paragraph in text["paragraphs"]:
        pdf.multi_cell(width, 8, "\u3000\u3000" + paragraph, new_x="LMARGIN", new_y="NEXT")  # two-em indent
        pdf.ln(1)
    pdf.ln(10)
    pdf.multi_cell(width, 8, document.issuer, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 8, SEAL, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 8, _cn(document.issued_on), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
