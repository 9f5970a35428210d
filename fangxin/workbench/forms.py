from django import forms

from fangxin.organisation.selectors import counties, sector_list


class EntityFilterForm(forms.Form):
    q = forms.CharField(label="名称、代码或地址", required=False, max_length=100)
    region = forms.ChoiceField(label="旗县区", required=False)
    sector = forms.ChoiceField(label="行业", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部")] + [(r.code, r.name) for r in counties()]
        self.fields["sector"].choices = [("", "全部")] + [(s.code, s.name) for s in sector_list()]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.CharField(label="操作", required=False, max_length=80)
    object_type = forms.CharField(label="对象类型", required=False, max_length=80)
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)


class DeadlineForm(forms.Form):
    start = forms.DateField(label="起算日期", widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label="天数", min_value=0, max_value=366)
    kind = forms.ChoiceField(label="期限类型", choices=[("work", "工作日"), ("calendar", "自然日")], initial="work")
