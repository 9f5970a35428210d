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
