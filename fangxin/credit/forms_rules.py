"""Forms of the joint-punishment rule editor and of credit repair. They only parse what was typed; the rules'
consistency (rules.rule_validate) and the repair conditions (repair.py) are checked by the services, whose
message is shown on the form."""

from decimal import Decimal

from django import forms

from .choices import Grade, ListKind, RuleConditionKind, RuleEffect

CONDITION_CHOICES = [("", "请选择")] + [(f"list:{value}", f"列入{label}") for value, label in ListKind.choices] + [
    (f"grade:{value}", f"信用等级为 {value} 级") for value in Grade.values]


def percent_of(ratio) -> str:
    """The stored ratio (0–1, e.g. 0.30) as the percent staff type (30), as on the inspection plan form."""
    if ratio in (None, ""):
        return ""
    value = (Decimal(str(ratio)) * 100).normalize()
    return format(value, "f")


def ratio_of(percent) -> str:
    """30 → "0.3": the 0–1 decimal string the rule service and the draw use."""
    if percent is None:
        return ""
    return format((Decimal(percent) / 100).normalize(), "f")


class RuleForm(forms.Form):
    name = forms.CharField(label="规则名称", max_length=100,
                           help_text="会出现在每一条因该规则作出的拒绝中，如“严重违法失信名单主体不得参加创建”",
                           error_messages={"required": "请填写规则名称。", "max_length": "规则名称最多 100 个字。"})
    condition = forms.ChoiceField(label="条件", choices=CONDITION_CHOICES,
                                  error_messages={"required": "请选择条件。", "invalid_choice": "请选择条件。"})
    effects = forms.MultipleChoiceField(label="惩戒措施", choices=RuleEffect.choices,
                                        widget=forms.CheckboxSelectMultiple,
                                        error_messages={"required": "请至少选择一项惩戒措施。"})
    inspection_ratio = forms.DecimalField(label="抽查比例（%）", required=False, min_value=0, max_value=100,
                                          max_digits=5, decimal_places=2,
                                          help_text="选择“提高抽查比例”时填写，0 到 100，如 30 表示抽查 30%（与抽查计划的填法相同）",
                                          error_messages={"invalid": "抽查比例请填写 0 到 100 之间的数字，如 30。",
                                                          "min_value": "抽查比例不能小于 0。",
                                                          "max_value": "抽查比例不能超过 100%%。"},
                                          widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    warning_text = forms.CharField(label="公开提示语", required=False, max_length=200,
                                   help_text="选择“在公开信息页提示”时填写，消费者在经营者公开信息页上看到这句话")
    basis = forms.CharField(label="依据", required=False, max_length=300,
                            widget=forms.Textarea(attrs={"rows": 2}))
    position = forms.IntegerField(label="顺序", min_value=0, max_value=32767, initial=100,
                                  error_messages={"required": "请填写顺序。", "invalid": "顺序须为整数。"})
    active = forms.BooleanField(label="启用", required=False, initial=True)

    @classmethod
    def for_rule(cls, rule):
        return cls(initial={"name": rule.name, "condition": f"{rule.condition_kind}:{rule.condition_value}",
                            "effects": rule.effects, "inspection_ratio": percent_of(rule.inspection_ratio),
                            "warning_text": rule.warning_text, "basis": rule.basis, "position": rule.position,
                            "active": rule.active})

    def data_for_service(self) -> dict:
        kind, _, value = self.cleaned_data["condition"].partition(":")
        if kind not in RuleConditionKind.values:
            kind = ""
        return {"name": self.cleaned_data["name"], "condition_kind": kind, "condition_value": value,
                "effects": self.cleaned_data["effects"],
                "inspection_ratio": ratio_of(self.cleaned_data["inspection_ratio"]),
                "warning_text": self.cleaned_data["warning_text"], "basis": self.cleaned_data["basis"],
                "position": self.cleaned_data["position"], "active": self.cleaned_data["active"]}


class RepairForm(forms.Form):
    target = forms.ChoiceField(label="要修复的记录", widget=forms.RadioSelect,
                               error_messages={"required": "请选择要修复的记录。",
                                               "invalid_choice": "请选择要修复的记录。"})
    statement = forms.CharField(label="修复理由和已采取的整改措施", max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 5}),
                                error_messages={"required": "请写明修复理由和已采取的整改措施。",
                                                "max_length": "修复理由最多 2000 个字。"})

    def __init__(self, repairable, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.repairable = {self.key(item): item for item in repairable}
        self.fields["target"].choices = [(key, self.label(item)) for key, item in self.repairable.items()]

    @staticmethod
    def key(item) -> str:
        return f"{'event' if item._meta.model_name == 'creditevent' else 'entry'}:{item.pk}"

    @staticmethod
    def label(item) -> str:
        if item._meta.model_name == "creditevent":
            return f"{item.get_kind_display()}（{item.occurred_on:%Y-%m-%d}）：{item.detail}"
        return f"{item.get_kind_display()}（{item.entered_on:%Y-%m-%d} 列入）：{item.reason}"

    def target_kwargs(self) -> dict:
        item = self.repairable[self.cleaned_data["target"]]
        return {"event": item} if item._meta.model_name == "creditevent" else {"list_entry": item}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="决定", choices=[("approve", "准予修复"), ("reject", "不予修复")],
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "请选择决定。", "invalid_choice": "请选择决定。"})
    reason = forms.CharField(label="决定理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请写明决定理由（将告知经营者）。",
                                             "max_length": "决定理由最多 500 个字。"})
    document_number = forms.CharField(label="修复决定文号", required=False, max_length=100,
                                      error_messages={"max_length": "修复决定文号最多 100 个字。"})
