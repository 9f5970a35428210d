"""Forms of the inspections pages (双随机一公开). They only parse what a person typed into the shape the services
take; the services decide what is allowed (ratios within 0–1, who may act, the plan's stage)."""

from decimal import Decimal, InvalidOperation

from django import forms

from fangxin.merchants.choices import EntityType
from fangxin.merchants.models import validate_uscc
from fangxin.organisation.models import Department, Region, Sector
from fangxin.organisation.selectors import counties, department_list, sector_list

from .choices import DESCRIBED_OUTCOMES, STRATA, Outcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GRADES = STRATA
DEFAULT_PERCENT = {"A": 3, "B": 5, "C": 10, "D": 20}  # the defaults: A 3%, B 5%, C 10%, D 20%
MAX_ITEMS, MAX_ITEM_LENGTH = 50, 200


def percent_to_ratio(percent: Decimal) -> str:
    """3 → "0.03", 12.5 → "0.125": the decimal string the draw record carries (never a float)."""
    value = (Decimal(percent) / 100).normalize()
    return format(value, "f")


def ratio_to_percent(ratio) -> Decimal | None:
    """"0.10" → 10, "0.125" → 12.5 (never "1E+1")."""
    try:
        value = Decimal(str(ratio)) * 100
    except (InvalidOperation, ValueError):
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the evidence checker (complaints.evidence) judges type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class PercentField(forms.DecimalField):
    """A percentage with at most two decimals that matter: "5.000" is 5, as typed numbers often carry zeros."""

    def to_python(self, value):
        number = super().to_python(value)
        if number is None or not number.is_finite():
            return number
        if number == 0:
            return Decimal(0)  # never "-0" in the record
        return number.normalize() if number != number.to_integral_value() else number.quantize(Decimal(1))


class RegionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.name}（{obj.code}）"


# --- plans --------------------------------------------------------------------------------------------------------

class PlanForm(forms.Form):
    name = forms.CharField(label="计划名称", max_length=120,
                           help_text="例如“2026 年第四季度食品经营者双随机抽查”")
    departments = forms.ModelMultipleChoiceField(
        label="实施部门", queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="选择多个部门即为联合抽查；本部门必须在内")
    lead_department = forms.ModelChoiceField(label="牵头部门", queryset=Department.objects.none(),
                                             help_text="联合抽查时负责组织的部门，须是实施部门之一")
    sectors = forms.ModelMultipleChoiceField(label="行业", queryset=Sector.objects.none(),
                                             widget=forms.CheckboxSelectMultiple, required=False,
                                             help_text="不选即全部行业")
    counties = RegionChoices(label="旗县区", queryset=Region.objects.none(), widget=forms.CheckboxSelectMultiple,
                             required=False, help_text="不选即您管辖范围内的全部旗县区")
    entity_types = forms.MultipleChoiceField(label="主体类型", choices=EntityType.choices,
                                             widget=forms.CheckboxSelectMultiple, required=False,
                                             help_text="不选即全部主体类型")
    items = forms.CharField(label="检查事项（每行一项）", widget=forms.Textarea(attrs={"rows": 5}),
                            error_messages={"required": "请至少填写一项检查事项。"},
                            help_text="例如“进货查验记录”“明码标价”“食品贮存条件”")
    ratio_A = PercentField(label="A 级抽查比例（%）", min_value=0, max_value=100, decimal_places=2,
                                 initial=DEFAULT_PERCENT["A"])
    ratio_B = PercentField(label="B 级抽查比例（%）", min_value=0, max_value=100, decimal_places=2,
                                 initial=DEFAULT_PERCENT["B"])
    ratio_C = PercentField(label="C 级抽查比例（%）", min_value=0, max_value=100, decimal_places=2,
                                 initial=DEFAULT_PERCENT["C"])
    ratio_D = PercentField(label="D 级抽查比例（%）", min_value=0, max_value=100, decimal_places=2,
                                 initial=DEFAULT_PERCENT["D"])
    team_size = forms.IntegerField(label="每组检查人员数", min_value=1, max_value=10, initial=2,
                                   help_text="每家被抽中的企业派几名检查人员（通常 2 名）")
    recent_days = forms.IntegerField(label="近期检查回避（天）", min_value=0, max_value=3650, initial=365,
                                     help_text="这么多天内检查过某企业的人员，本次不再派往该企业；0 为不回避")
    draw_due = forms.DateField(label="抽取截止日期", widget=DATE)
    inspect_due = forms.DateField(label="检查完成截止日期", widget=DATE)

    ratio_fields = ("ratio_A", "ratio_B", "ratio_C", "ratio_D")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = department_list()
        self.fields["lead_department"].queryset = department_list()
        self.fields["sectors"].queryset = sector_list()
        region = getattr(user, "region", None)
        self.fields["counties"].queryset = counties(within=region).order_by("code") if region else \
            counties().order_by("code")
        for name in self.ratio_fields:
            self.fields[name].error_messages.update({
                "min_value": "抽查比例应在 0%% 到 100%% 之间（即 0 到 1）。",
                "max_value": "抽查比例应在 0%% 到 100%% 之间（即 0 到 1）。",
                "max_decimal_places": "抽查比例最多保留两位小数。",
                "invalid": "请输入数字，如 5 表示 5%。"})

    def clean_items(self) -> list[str]:
        rows = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if not rows:
            raise forms.ValidationError("请至少填写一项检查事项。")
        if len(rows) > MAX_ITEMS:
            raise forms.ValidationError(f"检查事项最多 {MAX_ITEMS} 项。")
        if any(len(row) > MAX_ITEM_LENGTH for row in rows):
            raise forms.ValidationError(f"每项检查事项最多 {MAX_ITEM_LENGTH} 个字。")
        return rows

    def clean(self):
        data = super().clean()
        lead, departments = data.get("lead_department"), data.get("departments")
        if lead is not None and departments is not None and lead not in departments:
            self.add_error("lead_department", "牵头部门须是实施部门之一。")
        draw_due, inspect_due = data.get("draw_due"), data.get("inspect_due")
        if draw_due and inspect_due and inspect_due < draw_due:
            self.add_error("inspect_due", "检查完成截止日期不能早于抽取截止日期。")
        return data

    def ratios(self) -> dict[str, str]:
        return {grade: percent_to_ratio(self.cleaned_data[f"ratio_{grade}"]) for grade in GRADES}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "departments": list(data["departments"]),
                "lead_department": data["lead_department"], "sectors": list(data["sectors"]),
                "counties": list(data["counties"]), "entity_types": list(data["entity_types"]),
                "items": data["items"], "ratios": self.ratios(), "team_size": data["team_size"],
                "recent_days": data["recent_days"], "draw_due": data["draw_due"], "inspect_due": data["inspect_due"]}

    @classmethod
    def initial_for(cls, plan) -> dict:
        initial = {"name": plan.name, "departments": list(plan.departments.all()),
                   "lead_department": plan.lead_department, "sectors": list(plan.sectors.all()),
                   "counties": list(plan.counties.all()), "entity_types": list(plan.entity_types or []),
                   "items": "\n".join(plan.items or []), "team_size": plan.team_size,
                   "recent_days": plan.recent_days, "draw_due": plan.draw_due, "inspect_due": plan.inspect_due}
        for grade in GRADES:
            initial[f"ratio_{grade}"] = ratio_to_percent((plan.ratios or {}).get(grade, "0"))
        return initial

    @classmethod
    def initial_new(cls, user) -> dict:
        department = getattr(user, "department", None)
        initial = {f"ratio_{grade}": percent for grade, percent in DEFAULT_PERCENT.items()}
        if department is not None:
            initial |= {"departments": [department], "lead_department": department}
        return initial


class EntropyForm(forms.Form):
    entropy = forms.CharField(label="公开随机数", max_length=200, error_messages={"required": "请填写公开随机数。"},
                              help_text="例如两位见证人各掷三次骰子得到的数字“3 6 1 / 4 4 2”，录入后不能更改")
    witnesses = forms.CharField(label="见证人（每行一位）", widget=forms.Textarea(attrs={"rows": 3}),
                                error_messages={"required": "请至少填写一位见证人。"},
                                help_text="姓名和身份，例如“张三（消费者代表）”")

    def clean_entropy(self) -> str:
        text = self.cleaned_data["entropy"]
        if not text.strip():
            raise forms.ValidationError("请填写公开随机数。")
        return text

    def clean_witnesses(self) -> list[str]:
        rows = [line.strip() for line in self.cleaned_data["witnesses"].splitlines() if line.strip()]
        if not rows:
            raise forms.ValidationError("请至少填写一位见证人。")
        return rows


class ObjectFilterForm(forms.Form):
    q = forms.CharField(label="名称或信用代码", required=False, max_length=60)
    grade = forms.ChoiceField(label="信用等级", required=False,
                              choices=[("", "全部")] + [(g, f"{g} 级") for g in GRADES])


# --- results --------------------------------------------------------------------------------------------------------

class ResultForm(forms.Form):
    outcome = forms.ChoiceField(label="检查结果", choices=Outcome.choices, widget=forms.RadioSelect)
    description = forms.CharField(label="情况说明", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="除“未发现问题”外必填：写明发现的问题或现场情况和处理措施；结果公开时一并公示")
    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    files = MultipleFileField(label="检查文书（图片或 PDF，可多选）", required=False)

    def clean(self):
        data = super().clean()
        if data.get("outcome") in DESCRIBED_OUTCOMES and not (data.get("description") or "").strip():
            self.add_error("description", "发现问题、无法联系或拒绝检查时，请写明情况和处理措施。")
        return data


# --- inspectors -----------------------------------------------------------------------------------------------------

class InspectorForm(forms.Form):
    code = forms.CharField(label="执法证号", max_length=40, help_text="唯一，公示抽查结果时与姓名一并显示")
    name = forms.CharField(label="姓名", max_length=60)
    department = forms.ModelChoiceField(label="所属部门", queryset=Department.objects.none())
    regions = RegionChoices(label="负责区域", queryset=Region.objects.none(), widget=forms.CheckboxSelectMultiple,
                            help_text="选盟市即覆盖全部旗县区")
    qualification = forms.CharField(label="执法资格", max_length=200, required=False,
                                    help_text="例如“食品安全执法资格”")
    active = forms.BooleanField(label="在岗（可被抽取）", required=False, initial=True)
    username = forms.CharField(label="平台账号（用户名，可不填）", max_length=150, required=False,
                               help_text="关联后，本人可以申报自己的利益冲突、录入所在检查组的检查结果")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = department_list()
        self.fields["regions"].queryset = Region.objects.filter(level__in=("city", "county")).order_by("code")

    def clean_username(self):
        """The staff account named, or None; an unknown name is the form's error, a non-staff one the service's."""
        from django.contrib.auth import get_user_model

        name = self.cleaned_data["username"].strip()
        if not name:
            return None
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(f"没有用户名为“{name}”的账号。")
        return user

    @classmethod
    def initial_for(cls, inspector) -> dict:
        return {"code": inspector.code, "name": inspector.name, "department": inspector.department,
                "regions": list(inspector.regions.all()), "qualification": inspector.qualification,
                "active": inspector.active, "username": inspector.user.get_username() if inspector.user else ""}


class ConflictForm(forms.Form):
    uscc = forms.CharField(label="企业统一社会信用代码", max_length=18, validators=[validate_uscc])
    reason = forms.CharField(label="利害关系", max_length=200, help_text="例如“配偶在该企业任职”")

    def clean_uscc(self) -> str:
        return self.cleaned_data["uscc"].strip().upper()
