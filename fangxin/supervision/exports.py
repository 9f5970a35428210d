"""The county ranking as an XLSX workbook and as a printable PDF report (fpdf2 with the system CJK font the
campaign's certificates use, campaign.rendering.cjk_font_path)."""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from fangxin.campaign.rendering import cjk_font_path

from .evaluation import Row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = ("分项得分 = 100 × min(1, 实际值 ÷ 满分目标值)；总分 = Σ(权重 × 分项得分) ÷ Σ权重（无数据的指标不参与）；"
           "同分并列名次，按区划代码排列。")


def _value(part) -> str:
    return "无数据" if part.value is None else f"{part.value * 100:.1f}%（{part.numerator}/{part.denominator}）"


def _score(part) -> str:
    return "—" if part.score is None else f"{part.score}"


def ranking_xlsx(year: int, rows: list[Row], *, status_label: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年度督导评价"
    ws.append([f"{year} 年度旗县区放心消费创建督导评价（{status_label}）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([FORMULA])
    parts = rows[0].parts if rows else []
    header = ["名次", "区划代码", "旗县区", "总分"]
    for p in parts:
        header += [f"{p.label}（权重 {p.weight}，目标 {float(p.target) * 100:.0f}%）实际值", f"{p.label}得分"]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2E6D9")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        line = [row.rank, row.county_code, row.county, float(row.score)]
        for p in row.parts:
            line += [None if p.value is None else p.value, None if p.score is None else float(p.score)]
        ws.append(line)
        for i in range(len(row.parts)):
            ws.cell(ws.max_row, 5 + 2 * i).number_format = "0.0%"
    ws.column_dimensions["C"].width = 14
    for i in range(len(parts) * 2):
        ws.column_dimensions[ws.cell(3, 5 + i).column_letter].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ranking_pdf(year: int, rows: list[Row], *, status_label: str) -> bytes:
    """A4 landscape: title, formula, the ranked table with every indicator's score, then each county's measured
    values."""
    from fpdf import FPDF

    path, index = cjk_font_path()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{year} 年度旗县区督导评价报告")
    pdf.set_creator("放心消费创建工作平台")
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, f"{year} 年度旗县区放心消费创建督导评价报告", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 7, f"{status_label} · 生成于 {timezone.localtime():%Y-%m-%d %H:%M}", align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, "计分办法：" + FORMULA, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    parts = rows[0].parts if rows else []
    fixed = [12, 26, 18]
    width = (pdf.w - pdf.l_margin - pdf.r_margin - sum(fixed)) / max(1, len(parts))
    pdf.set_font("cjk", size=8)
    pdf.set_fill_color(242, 230, 217)
    heights = 10
    x0 = pdf.get_x()
    y0 = pdf.get_y()
    for label, w in zip(["名次", "旗县区", "总分"], fixed, strict=True):
        pdf.rect(pdf.get_x(), y0, w, heights, style="DF")
        pdf.multi_cell(w, heights, label, align="C", new_x="RIGHT", new_y="TOP")
    for p in parts:
        pdf.rect(pdf.get_x(), y0, width, heights, style="DF")
        pdf.multi_cell(width, heights / 2, f"{p.label}\n权重 {p.weight}", align="C", new_x="RIGHT", new_y="TOP")
    pdf.set_xy(x0, y0 + heights)
    pdf.set_font("cjk", size=9)
    for row in rows:
        cells = [str(row.rank), row.county, f"{row.score}"] + [_score(p) for p in row.parts]
        widths = fixed + [width] * len(row.parts)
        for text, w in zip(cells, widths, strict=True):
            pdf.cell(w, 7, text, border=1, align="C")
        pdf.ln(7)
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, "各旗县区分项实际值", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    for row in rows:
        text = f"{row.rank}. {row.county}（{row.score} 分）：" + "；".join(f"{p.label} {_value(p)}" for p in row.parts)
        pdf.multi_cell(0, 5.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return bytes(pdf.output())
