"""Documents as a PDF and as text: the stored content, the CJK font, masking for readers without access."""

import io

from fpdf import FPDF

from fangxin.complaints import document_render
from fangxin.complaints.choices import DocumentKind, Status
from fangxin.complaints.tests.factories import make_complaint


def test_pdf_of_a_refusal(entities):
    complaint = make_complaint(Status.REFUSED)
    document = complaint.documents.get(kind=DocumentKind.REFUSAL)
    data = document_render.render_pdf(document)
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data or b"/FontFile" in data  # the CJK font is embedded
    assert len(data) > 2000


def test_pdf_is_text_of_the_stored_content(entities):
    """A reprint renders the text as issued, even after the complaint changed."""
    complaint = make_complaint()
    document = complaint.documents.get(kind=DocumentKind.REGISTRATION)
    before = document_render.content(document)
    complaint.business_name = "改名后的超市"
    complaint.save()
    document.refresh_from_db()
    assert document_render.content(document) == before
    assert any("临河区华联超市" in p for p in before["paragraphs"])


def test_masked_content_hides_the_complainant(entities):
    complaint = make_complaint()
    document = complaint.documents.get(kind=DocumentKind.REGISTRATION)
    plain = document_render.content(document)
    masked = document_render.content(document, masked=True)
    assert any("13800001234" in p for p in plain["paragraphs"])
    assert not any("13800001234" in p for p in masked["paragraphs"])
    assert any("138****1234" in p for p in masked["paragraphs"])
    assert not any("张三" in p for p in masked["paragraphs"]) and masked["to"] == "张*"


def test_masked_pdf_differs_from_the_full_one(entities):
    complaint = make_complaint()
    document = complaint.documents.get(kind=DocumentKind.REGISTRATION)
    assert document_render.render_pdf(document) != document_render.render_pdf(document, masked=True)


def test_uses_the_campaign_font_helper():
    from fangxin.campaign.rendering import cjk_font_path

    path, index = cjk_font_path()
    pdf = FPDF()
    pdf.add_font("cjk", "", path, collection_font_number=index)
    assert document_render.cjk_font_path is cjk_font_path
    assert io.BytesIO(bytes(pdf.output())).getvalue().startswith(b"%PDF")
