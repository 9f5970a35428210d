"""The dashboards' filter bar: year, county (the viewer's own), sector, department."""

from django import forms
from django.utils import timezone

from fangxin.organisation.selectors import department_list, sector_list

from .selectors import HEAT_MEASURES, scope_counties


class DashboardFilterForm(forms.Form):
    year = forms.ChoiceField(label="年度", required=False)
    county = forms.ChoiceField(label="旗县区", required=False)
    sector = forms.ChoiceField(label="行业", required=False)
    department = forms.ChoiceField(label="部门", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(str(y), f"{y} 年") for y in range(this_year, this_year - 6, -1)]
        self.fields["county"].choices = [("", "全部")] + [(r.code, r.name) for r in scope_counties(user)]
        self.fields["sector"].choices = [("", "全部")] + [(s.code, s.name) for s in sector_list()]
        self.fields["department"].choices = [("", "全部")] + [(d.code, d.name) for d in department_list()]

    def codes(self) -> dict:
        """The chosen codes; an invalid choice (a county outside the viewer's scope) counts as none chosen, and
        the form shows its error."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {name: data.get(name) or "" for name in ("year", "county", "sector", "department")}


class HeatMeasureForm(DashboardFilterForm):
    measure = forms.ChoiceField(label="指标", required=False, choices=list(HEAT_MEASURES.items()))

    field_order = ["measure", "year", "county", "sector", "department"]

    def measure_code(self) -> str:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("measure") or "enrollments"


class MechanismForm(forms.Form):
    county = forms.ChoiceField(label="旗县区")
    established_on = forms.DateField(label="建立日期", widget=forms.DateInput(attrs={"type": "date"}))
    document_no = forms.CharField(label="文件文号", max_length=60, help_text="如：临政办发〔2026〕12 号")
    members = forms.CharField(label="成员单位", max_length=300, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [(r.code, r.name) for r in counties]
