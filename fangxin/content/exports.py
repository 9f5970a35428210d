"""XLSX of a survey's results: one sheet per question's distribution, a summary sheet, and the masked comments."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from fangxin.core.import_reports import plain_cells

from .choices import QuestionKind
from .selectors import SurveyResults, survey_comments

PERCENT = "0.0%"


def _header(sheet, row: list) -> None:
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def survey_xlsx(results: SurveyResults) -> bytes:
    survey = results.survey
    workbook = Workbook()
    summary = workbook.active
    summary.title = "概况"
    _header(summary, ["项目", "内容"])
    for label, value in (("调查名称", survey.title), ("行业", survey.sector.name), ("地区", survey.region.name),
                         ("调查期", f"{survey.opens_on:%Y-%m-%d} 至 {survey.closes_on:%Y-%m-%d}"),
                         ("状态", survey.state_label), ("答卷数", results.responses)):
        summary.append([label, value])
    summary.append([])
    _header(summary, ["序号", "题目", "题型", "作答数", "平均分", "满意率（4、5 分）"])
    for q in results.questions:
        summary.append([q.seq, q.text, QuestionKind(q.kind).label, q.answered,
                        round(q.average, 2) if q.average is not None else None, q.satisfied_share])
        if q.satisfied_share is not None:
            summary.cell(summary.max_row, 6).number_format = PERCENT
    summary.column_dimensions["B"].width = 40
    detail = workbook.create_sheet("分布")
    _header(detail, ["序号", "题目", "选项", "人数", "占比"])
    for q in results.questions:
        for option in q.options:
            detail.append([q.seq, q.text, option.label, option.count, option.share])
            detail.cell(detail.max_row, 5).number_format = PERCENT
    detail.column_dimensions["B"].width = 40
    detail.column_dimensions["C"].width = 24
    comments = workbook.create_sheet("意见建议")
    _header(comments, ["提交时间", "意见建议（已遮盖个人信息）"])
    for at, text in survey_comments(survey):
        comments.append(plain_cells(comments, [at.strftime("%Y-%m-%d %H:%M"), text]))  # never a formula
    comments.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
