"""Forms of the staff pages for review, publicity, objections and titles. They only parse; the services decide
(a score above an item's points, a missing opinion, a period not over yet are the services' messages)."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.organisation.models import Region
from fangxin.organisation.selectors import counties, sector_list

from .choices import ApplicationStatus, Decision, ItemKind, TitleLevel, TitleStatus
from .models import Cycle

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _all(choices) -> list:
    return [("", "全部"), *choices]


def _years() -> list:
    return [(str(year), f"{year} 年度") for year in Cycle.objects.order_by("-year").values_list("year", flat=True)]


def scope_regions(user):
    """The regions a user may act for: their region's subtree (everything for whole-system roles)."""
    region = getattr(user, "region", None)
    if user.role in STAFF_ROLES and region is not None:
        return Region.objects.filter(path__startswith=region.path)
    return Region.objects.all()


class ApplicationFilterForm(forms.Form):
    year = forms.ChoiceField(label="年度", required=False)
    level = forms.ChoiceField(label="级别", required=False, choices=_all(TitleLevel.choices))
    county = forms.ChoiceField(label="旗县区", required=False)
    sector = forms.ChoiceField(label="行业", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=_all(ApplicationStatus.choices))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _all(_years())
        region = getattr(user, "region", None) if user.role in STAFF_ROLES else None
        self.fields["county"].choices = _all((r.code, r.name) for r in counties(within=region))
        self.fields["sector"].choices = _all((s.code, s.name) for s in sector_list())

    def filter(self, rows):
        if not self.is_valid():
            return rows
        data = self.cleaned_data
        if data.get("year"):
            rows = rows.filter(cycle__year=int(data["year"]))
        if data.get("level"):
            rows = rows.filter(level=data["level"])
        if data.get("county"):
            rows = rows.filter(entity__region__code=data["county"])
        if data.get("sector"):
            rows = rows.filter(entity__sector__code=data["sector"])
        if data.get("status"):
            rows = rows.filter(status=data["status"])
        return rows


class ReviewForm(forms.Form):
    """One sign-off: a score per scored or bonus item (0 to its points), a checkbox per veto item, a comment per
    item, the decision and the opinion. Field names carry the item's number: score_3, veto_11, comment_3."""

    decision = forms.ChoiceField(label="评审结论", choices=Decision.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label="评审意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, standard, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(standard.items.select_related("dimension").all())
        for item in self.items:
            if item.kind == ItemKind.VETO:
                self.fields[f"veto_{item.seq}"] = forms.BooleanField(
                    label=f"第 {item.seq} 项：存在该否决情形", required=False)
            else:
                # no max_value here: the service answers a score above the points with its own message
                self.fields[f"score_{item.seq}"] = forms.DecimalField(
                    label=f"第 {item.seq} 项得分（满分 {item.points}）", required=item.kind == ItemKind.SCORED,
                    widget=forms.NumberInput(attrs={"min": "0", "max": str(item.points), "step": "0.1",
                                                    "inputmode": "decimal"}))
            self.fields[f"comment_{item.seq}"] = forms.CharField(label=f"第 {item.seq} 项意见", required=False,
                                                                 max_length=300)

    def item_fields(self, item):
        """(score or veto field, comment field) of one item, bound, for the scoring table."""
        key = f"veto_{item.seq}" if item.kind == ItemKind.VETO else f"score_{item.seq}"
        return self[key], self[f"comment_{item.seq}"]

    def scores(self) -> dict:
        data, scores = self.cleaned_data, {}
        for item in self.items:
            if item.kind == ItemKind.VETO:
                if data.get(f"veto_{item.seq}"):
                    scores[str(item.seq)] = "veto"
            elif data.get(f"score_{item.seq}") is not None:
                scores[str(item.seq)] = str(data[f"score_{item.seq}"])
        return scores

    def comments(self) -> dict:
        return {str(item.seq): self.cleaned_data[f"comment_{item.seq}"].strip() for item in self.items
                if (self.cleaned_data.get(f"comment_{item.seq}") or "").strip()}


class ConflictForm(forms.Form):
    reason = forms.CharField(label="关系说明", max_length=200,
                             help_text="如：亲属在该单位任职、本人持有该单位股份。声明后您不能评审该单位的申报。")


class PublicityOpenForm(forms.Form):
    level = forms.ChoiceField(label="级别", choices=TitleLevel.choices)
    region = forms.ChoiceField(label="地区")
    starts_on = forms.DateField(label="公示开始日期", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in scope_regions(user)]
        self.fields["starts_on"].initial = timezone.localdate()

    def chosen_region(self) -> Region:
        return Region.objects.get(code=self.cleaned_data["region"])


class ObjectionAnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(label="答复结论", widget=forms.RadioSelect, coerce=lambda value: value == "1",
                                    choices=[("0", "异议不成立，保留候选资格"), ("1", "异议成立，取消候选资格")])
    answer = forms.CharField(label="答复内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="答复将告知异议人（凭异议编号和手机号后四位查询）。")


class TitleFilterForm(forms.Form):
    year = forms.ChoiceField(label="年度", required=False)
    level = forms.ChoiceField(label="级别", required=False, choices=_all(TitleLevel.choices))
    status = forms.ChoiceField(label="状态", required=False, choices=_all(TitleStatus.choices))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _all(_years())

    def filter(self, rows, today):
        if not self.is_valid():
            return rows
        data = self.cleaned_data
        if data.get("year"):
            rows = rows.filter(year=int(data["year"]))
        if data.get("level"):
            rows = rows.filter(level=data["level"])
        status = data.get("status")
        if status == TitleStatus.VALID:
            rows = rows.filter(status=TitleStatus.VALID, valid_until__gte=today)
        elif status == TitleStatus.EXPIRED:
            rows = rows.filter(Q(status=TitleStatus.EXPIRED) | Q(status=TitleStatus.VALID, valid_until__lt=today))
        elif status:
            rows = rows.filter(status=status)
        return rows
