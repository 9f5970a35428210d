"""The annual campaign report (年度放心消费创建工作报告) as DOCX (python-docx) or PDF (fpdf2 with the CJK font the
certificates use): the six goals' indicators with charts, the county evaluation ranking and typical cases."""

import io

from django.utils import timezone

from fangxin.campaign.rendering import cjk_font_path

from . import charts
from .annual_data import AnnualData, collect

NOT_PUBLISHED_RANKING = ("本年度旗县区督导评价结果尚未由联席会议办公室正式发布；下表按截至报告生成时的数据和本年度指标权重计算，"
                         "仅供参考。")
NO_RANKING = "本年度尚无旗县区督导评价数据。"
NO_CASES = "本年度尚未发布典型案例。"


def title_of(data: AnnualData) -> str:
    return f"{data.scope_label}{data.year} 年度放心消费创建工作报告"


def _images(data: AnnualData, progress) -> dict[int, list[bytes]]:
    images = {}
    for index, goal in enumerate(data.goals):
        images[index] = [charts.render(spec) for spec in goal.charts]
        progress(86 + index * 2, f"绘制图表：目标{goal.number}")
    return images


def render_docx(data: AnnualData, images: dict[int, list[bytes]]) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = charts.FONT_FAMILY
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), charts.FONT_FAMILY)  # Word picks East Asian text by this
    document.core_properties.title = title_of(data)
    document.add_heading(title_of(data), level=0)
    document.add_paragraph(f"生成时间：{timezone.localtime():%Y年%m月%d日 %H:%M}。数据来自放心消费创建工作平台的"
                           "统计汇总（口径见平台“统计分析”说明）。")
    for index, goal in enumerate(data.goals):
        document.add_heading(f"目标{goal.number}：{goal.heading}", level=1)
        table = document.add_table(rows=1, cols=2)
        table.style = "Light Grid Accent 1"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "指标", "数值"
        for name, value in goal.indicators:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = name, value
        for png in images.get(index, []):
            document.add_picture(io.BytesIO(png), width=Cm(15.5))
    document.add_heading("旗县区督导评价排名", level=1)
    if data.ranking and not data.ranking_published:
        document.add_paragraph(NOT_PUBLISHED_RANKING)
    if data.ranking:
        table = document.add_table(rows=1, cols=3)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(table.rows[0].cells, ("名次", "旗县区", "得分"), strict=True):
            cell.text = text
        for row in data.ranking:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = str(row["rank"]), row["county"], str(row["score"])
    else:
        document.add_paragraph(NO_RANKING)
    document.add_heading("典型案例", level=1)
    if data.cases:
        for case in data.cases:
            document.add_heading(case["title"], level=2)
            document.add_paragraph(f"（{case['published']} 发布）{case['summary']}")
    else:
        document.add_paragraph(NO_CASES)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_pdf(data: AnnualData, images: dict[int, list[bytes]]) -> bytes:
    from fpdf import FPDF, XPos, YPos
    from fpdf.fonts import FontFace

    head_style = FontFace(emphasis="", fill_color=(238, 238, 238))  # the CJK font has no bold face

    path, index = cjk_font_path()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title_of(data))
    pdf.set_creator("放心消费创建工作平台")
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    below = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}  # each block starts on the left margin under the last

    def heading(text, size=15):
        pdf.set_font("cjk", size=size)
        pdf.ln(3)
        pdf.multi_cell(width, 8, text, **below)
        pdf.set_font("cjk", size=10.5)

    pdf.set_font("cjk", size=20)
    pdf.multi_cell(width, 12, title_of(data), align="C", **below)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(width, 6, f"生成时间：{timezone.localtime():%Y年%m月%d日 %H:%M}。数据来自放心消费创建工作平台的统计汇总。",
                   align="C", **below)
    for goal_index, goal in enumerate(data.goals):
        heading(f"目标{goal.number}：{goal.heading}")
        with pdf.table(col_widths=(2, 1), text_align=("LEFT", "RIGHT"), headings_style=head_style) as table:
            table.row(("指标", "数值"))
            for name, value in goal.indicators:
                table.row((name, value))
        for png in images.get(goal_index, []):
            pdf.ln(2)
            pdf.image(io.BytesIO(png), w=width)
    heading("旗县区督导评价排名")
    if data.ranking and not data.ranking_published:
        pdf.multi_cell(width, 6, NOT_PUBLISHED_RANKING, **below)
    if data.ranking:
        with pdf.table(col_widths=(1, 3, 1), headings_style=head_style) as table:
            table.row(("名次", "旗县区", "得分"))
            for row in data.ranking:
                table.row((str(row["rank"]), row["county"], str(row["score"])))
    else:
        pdf.multi_cell(width, 7, NO_RANKING, **below)
    heading("典型案例")
    if data.cases:
        for case in data.cases:
            heading(case["title"], size=12)
            pdf.multi_cell(width, 6, f"（{case['published']} 发布）{case['summary']}", **below)
    else:
        pdf.multi_cell(width, 7, NO_CASES, **below)
    return bytes(pdf.output())


def build(user, year: int, fmt: str, progress=lambda percent, step: None) -> bytes:
    data = collect(user, year, progress)
    images = _images(data, progress)
    progress(97, "排版文件")
    return render_pdf(data, images) if fmt == "pdf" else render_docx(data, images)
