from django.core.files.uploadedfile import SimpleUploadedFile

from fangxin.core import import_forms
from fangxin.core.import_forms import TableImportForm


class SampleForm(TableImportForm):
    max_rows = 1234
    dry_run_label = "试导入：只检查，不写入"


def test_the_form_names_the_importers_row_limit_and_dry_run():
    form = SampleForm()
    assert "1234 行" in form.fields["file"].help_text
    assert form.fields["dry_run"].label == "试导入：只检查，不写入"


def test_an_oversized_file_is_refused_with_its_size(monkeypatch):
    monkeypatch.setattr(import_forms, "MAX_UPLOAD_BYTES", 10)
    form = SampleForm(data={}, files={"file": SimpleUploadedFile("a.csv", b"x" * 11)})
    assert not form.is_valid()
    assert "文件过大" in form.errors["file"][0]


def test_a_missing_file_is_named_in_chinese():
    form = SampleForm(data={}, files={})
    assert form.errors["file"] == ["请选择要导入的文件。"]
    assert SampleForm(data={}, files={"file": SimpleUploadedFile("a.csv", b"x")}).is_valid()
