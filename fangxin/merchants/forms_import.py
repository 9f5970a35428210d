"""The upload form of the registry import page: the file is checked by its content, not its name."""

from django import forms

from . import importing

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class EntityImportForm(forms.Form):
    file = forms.FileField(
        label="导入文件",
        help_text="XLSX 或 CSV（UTF-8 或 GB18030 编码），不超过 20 MB。第一行为表头，列名见下方说明。",
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv,text/csv," + importing.XLSX_CONTENT_TYPE}),
        error_messages={"required": "请选择要导入的文件。", "empty": "文件是空的。"},
    )
    dry_run = forms.BooleanField(label="试导入：只检查并报告结果，不写入名录", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件过大：{upload.size / 1024 / 1024:.1f} MB，上限为 20 MB。请拆分成几个文件分别导入。")
        try:
            self.kind = importing.inspect_file(upload, upload.name)
        except importing.ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload
