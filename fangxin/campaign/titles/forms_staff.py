"""Forms of the joint-meeting office and standards pages: standard filters, the draft editor (title, pass mark and
a table of items), the annual cycle with its quota rows, the dynamic-management decision and the coverage year.
They only parse and check the shape of the input; the services decide."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangxin.organisation.models import Dimension

from .choices import DesignationKind, ItemKind, TitleLevel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER_ERRORS = {"invalid": "请填写数字。", "required": "请填写此项。"}


def _required(label: str) -> dict:
    return {"required": f"请填写{label}。"}


# --- standards -------------------------------------------------------------------------------------------------

class StandardFilterForm(forms.Form):
    sector = forms.ChoiceField(label="行业", required=False)
    level = forms.ChoiceField(label="级别", required=False, choices=[("", "全部"), *TitleLevel.choices])
    history = forms.BooleanField(label="显示已停用的历史版本", required=False)

    def __init__(self, *args, sectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "全部"), *((s.code, s.name) for s in sectors)]


class StandardNewForm(forms.Form):
    sector = forms.ModelChoiceField(label="行业", queryset=None, empty_label="请选择",
                                    to_field_name="code",
                                    error_messages={"required": "请选择行业。",
                                                    "invalid_choice": "您所在部门不是该行业的牵头部门，不能制定其标准。"})
    level = forms.ChoiceField(label="级别", choices=[("", "请选择"), *TitleLevel.choices],
                              error_messages={"required": "请选择级别。", "invalid_choice": "请选择级别。"})

    def __init__(self, *args, sectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = sectors


class StandardMetaForm(forms.Form):
    title = forms.CharField(label="标准名称", max_length=120, error_messages=_required("标准名称"))
    pass_mark = forms.DecimalField(label="合格分", max_digits=5, decimal_places=1, min_value=Decimal("0.5"),
                                   error_messages={**NUMBER_ERRORS, "required": "请填写合格分。",
                                                   "min_value": "合格分应大于 0。"})
    note = forms.CharField(label="修订说明", max_length=300, required=False,
                           help_text="本版与上一版相比改了什么（发布后随标准公开）。")


class StandardItemForm(forms.Form):
    """One row of the items table."""

    dimension = forms.ModelChoiceField(label="维度", queryset=Dimension.objects.order_by("seq"), empty_label="请选择",
                                       error_messages={"required": "请选择维度。", "invalid_choice": "请选择维度。"})
    kind = forms.ChoiceField(label="类别", choices=ItemKind.choices, initial=ItemKind.SCORED)
    text = forms.CharField(label="评价内容", max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages=_required("评价内容"))
    points = forms.DecimalField(label="分值", max_digits=5, decimal_places=1, min_value=Decimal("0"), required=False,
                                error_messages={**NUMBER_ERRORS, "min_value": "分值不能为负数。"})
    guidance = forms.CharField(label="评分办法", max_length=300, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label="应提供的材料", max_length=300, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        kind, points = data.get("kind"), data.get("points")
        if kind == ItemKind.VETO and points:
            self.add_error("points", "一票否决项不计分，分值应为 0。")
        elif kind in (ItemKind.SCORED, ItemKind.BONUS) and not points and "points" not in self.errors:
            self.add_error("points", f"{ItemKind(kind).label}请填写大于 0 的分值。")
        return data


class BaseItemFormSet(forms.BaseFormSet):
    def _kept(self) -> list:
        """Rows that stay: every existing row and every filled-in new row, unless marked for deletion."""
        initial = self.initial_form_count()
        return [f for i, f in enumerate(self.forms)
                if (i < initial or f.has_changed()) and not self._should_delete_form(f)]

    def clean(self):
        if any(self.errors):
            return
        kept = self._kept()
        if not kept:
            raise ValidationError("标准至少要有一个评价项目。")
        if not any(f.cleaned_data.get("kind") == ItemKind.SCORED for f in kept):
            raise ValidationError("标准至少要有一个评分项。")

    def items(self) -> list[dict]:
        """The kept rows in table order."""
        return [f.cleaned_data for f in self._kept()]


ItemFormSet = forms.formset_factory(StandardItemForm, formset=BaseItemFormSet, extra=1, can_delete=True,
                                    max_num=200, absolute_max=200)


def item_initial(standard) -> list[dict]:
    return [{"dimension": i.dimension_id, "kind": i.kind, "text": i.text, "points": i.points, "guidance": i.guidance,
             "evidence": i.evidence} for i in standard.items.all()]


# --- the annual cycle -----------------------------------------------------------------------------------------

class CycleForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={**NUMBER_ERRORS, "required": "请填写年度。",
                                              "min_value": "年度无效。", "max_value": "年度无效。"})
    applications_open = forms.DateField(label="申报开始", widget=DATE, error_messages={
        "required": "请选择申报开始日期。", "invalid": "日期格式应为 年-月-日。"})
    applications_close = forms.DateField(label="申报截止（旗县区级）", widget=DATE, error_messages={
        "required": "请选择申报截止日期。", "invalid": "日期格式应为 年-月-日。"})
    county_review_by = forms.DateField(label="旗县区级评审截止", widget=DATE, error_messages={
        "required": "请选择旗县区级评审截止日期。", "invalid": "日期格式应为 年-月-日。"})
    city_review_by = forms.DateField(label="盟市级评审截止", widget=DATE, error_messages={
        "required": "请选择盟市级评审截止日期。", "invalid": "日期格式应为 年-月-日。"})
    region_review_by = forms.DateField(label="自治区级评审截止", widget=DATE, error_messages={
        "required": "请选择自治区级评审截止日期。", "invalid": "日期格式应为 年-月-日。"})
    publicity_workdays = forms.IntegerField(label="公示期（工作日）", initial=5, min_value=1, max_value=30,
                                            error_messages={**NUMBER_ERRORS, "min_value": "公示期应为 1 到 30 个工作日。",
                                                            "max_value": "公示期应为 1 到 30 个工作日。"})
    require_title_below = forms.BooleanField(
        label="申报上一级须先获得下一级称号", required=False, initial=True,
        help_text="不勾选时，下一级评审通过并推荐的单位也可以申报上一级。")
    sector_coverage_threshold = forms.DecimalField(
        label="示范行业覆盖率门槛（%）", initial=30, min_value=Decimal("0.1"), max_value=100, decimal_places=1,
        help_text="某旗县区某行业示范单位数 ÷ 创建单位数达到此比例，可认定为示范行业。",
        error_messages={**NUMBER_ERRORS, "min_value": "门槛应大于 0。", "max_value": "门槛不能超过 100%%。"})
    county_coverage_threshold = forms.DecimalField(
        label="示范旗县区覆盖率门槛（%）", initial=20, min_value=Decimal("0.1"), max_value=100, decimal_places=1,
        help_text="某旗县区示范单位数 ÷ 创建单位数达到此比例，可认定为示范旗县区。",
        error_messages={**NUMBER_ERRORS, "min_value": "门槛应大于 0。", "max_value": "门槛不能超过 100%%。"})
    complaint_window_days = forms.IntegerField(
        label="投诉滚动窗口（天）", initial=365, min_value=1, max_value=3650,
        error_messages={**NUMBER_ERRORS, "min_value": "窗口应为 1 到 3650 天。", "max_value": "窗口应为 1 到 3650 天。"})
    complaint_limit = forms.IntegerField(
        label="窗口内调解成功投诉上限（件）", initial=5, min_value=0, max_value=10000,
        help_text="超过即自动启动动态管理复核。",
        error_messages={**NUMBER_ERRORS, "min_value": "上限不能为负数。", "max_value": "上限过大。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)

    def date_fields(self):
        return [self[name] for name in ("year", "applications_open", "applications_close", "county_review_by",
                                        "city_review_by", "region_review_by", "publicity_workdays")]

    def setting_fields(self):
        return [self[name] for name in ("sector_coverage_threshold", "county_coverage_threshold",
                                        "complaint_window_days", "complaint_limit")]

    def service_kwargs(self, quotas: dict) -> dict:
        data = dict(self.cleaned_data)
        data["sector_coverage_threshold"] = data["sector_coverage_threshold"] / 100
        data["county_coverage_threshold"] = data["county_coverage_threshold"] / 100
        return {**data, "quotas": quotas}


class QuotaForm(forms.Form):
    """One quota row: level + county or sector → number."""

    level = forms.ChoiceField(label="级别", required=False, choices=[("", "请选择"), *TitleLevel.choices])
    target = forms.ChoiceField(label="旗县区或行业", required=False)
    number = forms.IntegerField(label="名额", required=False, min_value=0, max_value=10000,
                                error_messages={**NUMBER_ERRORS, "min_value": "名额不能为负数。",
                                                "max_value": "名额过大。"})

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "请选择"), *targets]

    def clean(self):
        data = super().clean()
        filled = [bool(data.get("level")), bool(data.get("target")), data.get("number") is not None]
        if any(filled) and not all(filled) and not self.errors:
            raise ValidationError("名额行须同时选择级别、旗县区或行业并填写名额。")
        return data


class BaseQuotaFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            key = self._key(form)
            if key and key in seen:
                raise ValidationError("名额设置有重复的行。")
            seen.add(key)

    @staticmethod
    def _key(form) -> str:
        data = getattr(form, "cleaned_data", {})
        if data.get("level") and data.get("target") and data.get("number") is not None:
            return f"{data['level']}:{data['target']}"
        return ""

    def quotas(self) -> dict:
        return {self._key(f): f.cleaned_data["number"] for f in self.forms if self._key(f)}


QuotaFormSet = forms.formset_factory(QuotaForm, formset=BaseQuotaFormSet, extra=2, max_num=100, absolute_max=100)


def quota_targets(counties, sectors) -> list:
    """Grouped choices for the quota rows: counties by code, sectors by code."""
    return [("旗县区", [(c.code, c.name) for c in counties]), ("行业", [(s.code, s.name) for s in sectors])]


# --- dynamic management ----------------------------------------------------------------------------------------

class CaseDecideForm(forms.Form):
    decision = forms.ChoiceField(label="处理决定", widget=forms.RadioSelect,
                                 choices=[("revoke", "撤销创建单位资格和示范称号"), ("keep", "保留资格")],
                                 error_messages={"required": "请选择处理决定。", "invalid_choice": "请选择处理决定。"})
    reason = forms.CharField(label="处理意见", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写处理意见（撤销时将写入公告）。",
                                             "max_length": "处理意见最多 300 个字。"})


# --- coverage and designations ---------------------------------------------------------------------------------

class CoverageYearForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y} 年度") for y in years]


class DesignateForm(forms.Form):
    kind = forms.ChoiceField(choices=DesignationKind.choices, error_messages={"required": "请选择认定类别。",
                                                                               "invalid_choice": "请选择认定类别。"})
    year = forms.IntegerField(error_messages={"required": "请选择年度。", "invalid": "年度无效。"})
    region = forms.CharField(max_length=12, error_messages={"required": "请选择旗县区。"})
    sector = forms.CharField(max_length=40, required=False)
