"""The upload form of the small staff table imports (complaints, credit events): one file and a dry-run box.

An import subclasses `TableImportForm` with its row limit and what its dry run does not do; the limits and the
messages are the same for every small import, so a clerk meets the same form wherever they import a table.
"""

from django import forms

from .import_reports import XLSX_CONTENT_TYPE

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class TableImportForm(forms.Form):
    max_rows = 0           # set by the subclass: the importer's MAX_ROWS
    dry_run_label = ""     # set by the subclass: "试导入：只检查并报告结果，不……"

    file = forms.FileField(
        label="导入文件",
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv,text/csv," + XLSX_CONTENT_TYPE}),
        error_messages={"required": "请选择要导入的文件。", "empty": "文件是空的。"},
    )
    dry_run = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (f"XLSX 或 CSV（UTF-8 或 GB18030 编码），不超过 10 MB、{self.max_rows} 行。"
                                         "列名见下方说明。")
        self.fields["dry_run"].label = self.dry_run_label

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大：{upload.size / 1024 / 1024:.1f} MB，上限为 10 MB。请拆分后分别导入。")
        return upload
