"""Forms of the early-warning pages. They only parse what was typed; the rules (transitions, notes, thresholds'
ranges, the declaration's completeness) are checked by services.py, whose message is shown on the form."""

from django import forms

from .choices import CardType, Custody, Severity, WarningKind, WarningStatus
from .models import AlertSettings
from .services import SETTING_FIELDS


class WarningFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("unclosed", "未办结"), ("", "全部"), *WarningStatus.choices])
    kind = forms.ChoiceField(label="预警类型", required=False, choices=[("", "全部"), *WarningKind.choices])
    severity = forms.ChoiceField(label="等级", required=False, choices=[("", "全部"), *Severity.choices])


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label="操作", choices=WarningStatus.choices,
                                  error_messages={"invalid_choice": "请选择操作。", "required": "请选择操作。"})
    note = forms.CharField(label="说明", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="开始处置时写明处置措施（如约谈、检查、责令整改）；办结时写明结果。",
                           error_messages={"max_length": "说明最多 2000 个字。"})


class SettingsForm(forms.ModelForm):
    class Meta:
        model = AlertSettings
        fields = SETTING_FIELDS
        widgets = {name: forms.TextInput(attrs={"inputmode": "decimal"})
                   for name in ("p_threshold", "min_ratio", "entity_floor_per_30d", "group_floor_per_30d")}
        help_texts = {
            "window_days": "统计最近多少天的投诉（含扫描当日）。",
            "baseline_days": "用窗口之前多少天的投诉估计对象自身的正常水平。",
            "p_threshold": "泊松上尾概率不超过此值才预警；越小越严格，误报越少、漏报越多。",
            "min_ratio": "实际件数至少为预计件数的多少倍才预警，防止大样本下的轻微波动触发预警。",
            "entity_floor_per_30d": "没有投诉历史的经营者按此水平估计，避免首次投诉即预警。",
            "mass_threshold": "同一经营者在时限内收到不少于 N 件投诉即为群体性投诉预警。",
            "closure_words": "预付卡经营者的投诉中出现这些词语，结合其申报情况发出预付卡风险预警。",
        }


class PrepaidForm(forms.Form):
    issues_cards = forms.TypedChoiceField(
        label="是否发行预付卡", coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=[("yes", "发行（储值卡、次卡、期限卡、课程包等）"), ("no", "不发行")],
        error_messages={"required": "请选择是否发行预付卡。"})
    card_types = forms.MultipleChoiceField(label="预付卡种类", required=False, choices=CardType.choices,
                                           widget=forms.CheckboxSelectMultiple)
    outstanding_balance = forms.CharField(
        label="未消费余额（元）", required=False, max_length=20,
        help_text="全部持卡人卡内尚未消费的金额合计，按申报日填写",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    cardholders = forms.CharField(label="持卡人数", required=False, max_length=10,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    custody = forms.ChoiceField(label="资金存管或担保", required=False, choices=Custody.choices,
                                widget=forms.RadioSelect)
    custodian = forms.CharField(label="存管银行或担保机构", required=False, max_length=100,
                                error_messages={"max_length": "最多 100 个字。"})
    refund_policy = forms.CharField(label="退卡退费办法", required=False, max_length=300,
                                    widget=forms.Textarea(attrs={"rows": 3}),
                                    error_messages={"max_length": "最多 300 个字。"})

    @classmethod
    def initial_from(cls, scheme) -> dict:
        if scheme is None:
            return {"custody": Custody.NONE}
        return {"issues_cards": "yes" if scheme.issues_cards else "no", "card_types": scheme.card_types,
                "outstanding_balance": scheme.outstanding_balance if scheme.issues_cards else "",
                "cardholders": scheme.cardholders if scheme.issues_cards else "", "custody": scheme.custody,
                "custodian": scheme.custodian, "refund_policy": scheme.refund_policy}
