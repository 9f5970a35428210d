"""Forms of the merchant's complaint pages: a settlement offer, declining to settle, the public reply."""

from django import forms

from .choices import SettlementType


class OfferForm(forms.Form):
    settlement_type = forms.ChoiceField(label="和解方式", choices=SettlementType.choices, widget=forms.RadioSelect,
                                        error_messages={"required": "请选择和解方式。",
                                                        "invalid_choice": "请选择和解方式。"})
    amount = forms.CharField(label="金额（元）", required=False, max_length=20,
                             help_text="退货退款、赔偿、赔偿先付必须填写金额，如 59.90",
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    note = forms.CharField(label="和解方案说明", max_length=1000,
                           help_text="写清楚怎么办、什么时候办好，消费者会看到这段说明",
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "请填写和解方案说明。"})


class DeclineForm(forms.Form):
    reason = forms.CharField(label="无法和解的原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写无法和解的原因。"})


class ReplyForm(forms.Form):
    text = forms.CharField(label="公开回复", max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="回复将与投诉公示一同向社会公开，请勿填写消费者的个人信息",
                           error_messages={"required": "请填写回复内容。"})
