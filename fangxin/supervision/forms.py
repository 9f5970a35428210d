"""Forms of the supervision pages. They only parse what was typed; the rules (who may act, transitions, the
weights summing to 100) are checked by services.py, whose message is shown on the form."""

from django import forms

from fangxin.organisation.models import Department, Region
from fangxin.organisation.selectors import counties, department_list

from .choices import DEFAULT_INDICATORS, AssignmentStatus, Indicator


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *AssignmentStatus.choices])
    overdue = forms.BooleanField(label="只看逾期", required=False)


class TaskForm(forms.Form):
    title = forms.CharField(label="任务名称", max_length=100, error_messages={"required": "请填写任务名称。"})
    description = forms.CharField(label="任务内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                                  error_messages={"required": "请填写任务内容。"})
    basis = forms.CharField(label="政策依据", max_length=200, required=False,
                            help_text="如：实施意见 六（二）统筹协调、督导推进")
    due_on = forms.DateField(label="完成时限", widget=forms.DateInput(attrs={"type": "date"}),
                             error_messages={"required": "请填写完成时限。", "invalid": "日期格式应为 YYYY-MM-DD。"})
    departments = forms.ModelMultipleChoiceField(label="承办部门", required=False, queryset=Department.objects.none(),
                                                 widget=forms.CheckboxSelectMultiple)
    regions = forms.ModelMultipleChoiceField(label="承办旗县区", required=False, queryset=Region.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = department_list()
        self.fields["regions"].queryset = counties().order_by("code")


class ProgressForm(forms.Form):
    note = forms.CharField(label="工作进展", required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label="完成进度（%）", required=False, min_value=0, max_value=100,
                                 error_messages={"min_value": "进度应为 0 到 100 的整数。",
                                                 "max_value": "进度应为 0 到 100 的整数。",
                                                 "invalid": "进度应为 0 到 100 的整数。"})
    attachment = forms.FileField(label="附件（图片或 PDF，可选）", required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))


class SchemeForm(forms.Form):
    """One weight and one target per indicator (weight 0 leaves the indicator out)."""

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {i.code: i for i in scheme.indicators.all()} if scheme is not None else {}
        for code, default_weight, default_target in DEFAULT_INDICATORS:
            label = Indicator(code).label
            row = current.get(code)
            self.fields[f"w_{code}"] = forms.IntegerField(label=f"{label} 权重（分）", min_value=0, max_value=100,
                                                          initial=row.weight if row else (0 if scheme else default_weight))
            self.fields[f"t_{code}"] = forms.DecimalField(label=f"{label} 满分目标值（0.01–1）", min_value=0.01,
                                                          max_value=1, decimal_places=2,
                                                          initial=row.target if row else default_target)

    def rows(self) -> dict:
        return {code: (self.cleaned_data[f"w_{code}"], self.cleaned_data[f"t_{code}"])
                for code, _, _ in DEFAULT_INDICATORS}

    def pairs(self):
        return [(self[f"w_{code}"], self[f"t_{code}"]) for code, _, _ in DEFAULT_INDICATORS]
