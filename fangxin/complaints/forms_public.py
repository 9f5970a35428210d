"""Forms of the public complaint pages (consumers, no account). They only parse what was typed; the rules
(phone format, required text, evidence files, the business) are checked by services.complaint_submit, whose
ValidationFailed is shown on the field it names."""

from django import forms

from fangxin.organisation.selectors import counties, sector_list

from .choices import Rating
from .identity import clean_id_number
from .services import ComplaintInput


def _county_choices(blank: str):
    return [("", blank)] + [(region.code, region.name) for region in counties().order_by("code")]


def _text(label: str, max_length: int, *, required: bool = True, missing: str = "", **attrs):
    field = forms.CharField(label=label, max_length=max_length, required=required,
                            error_messages={"required": missing or f"请填写{label}。",
                                            "max_length": f"{label}最多 {max_length} 个字。"})
    field.widget.attrs.update(attrs)
    return field


class ComplaintForm(forms.Form):
    complainant_name = _text("您的姓名", 60, missing="请填写投诉人姓名。", autocomplete="name")
    complainant_phone = _text("联系电话", 30, autocomplete="tel", inputmode="tel")
    complainant_email = forms.EmailField(label="电子邮箱", required=False, max_length=254,
                                         error_messages={"invalid": "电子邮箱格式不正确。"},
                                         widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    complainant_id_number = _text("证件号码（居民身份证）", 20, required=False, autocomplete="off")
    entity = forms.CharField(required=False, widget=forms.HiddenInput)  # rendered as radio buttons
    business_name = _text("经营者名称", 120, required=False)
    business_address = _text("经营者地址", 200, required=False)
    platform_name = _text("网购平台", 60, required=False)
    region_code = forms.ChoiceField(label="事发地（旗县区）", required=False)
    item = _text("购买的商品或接受的服务", 120)
    purchased_on = forms.DateField(label="消费日期", required=False,
                                   error_messages={"invalid": "消费日期格式不正确，如 2026-11-20。"},
                                   widget=forms.DateInput(attrs={"type": "date"}))
    amount = _text("涉及金额（元）", 20, required=False, inputmode="decimal")
    description = forms.CharField(label="发生了什么", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                                  error_messages={"required": "请填写投诉内容。",
                                                  "max_length": "投诉内容最多 5000 个字。"})
    demand = forms.CharField(label="您的请求", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写投诉请求。", "max_length": "投诉请求最多 2000 个字。"})
    consent_publication = forms.BooleanField(label="同意公示", required=False)
    consent_mediation = forms.BooleanField(label="同意调解", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = _county_choices("请选择")

    def clean_complainant_id_number(self):
        return clean_id_number(self.cleaned_data.get("complainant_id_number"))

    def clean_entity(self):
        value = (self.cleaned_data.get("entity") or "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise forms.ValidationError("所选的经营者不存在，请重新查找或直接填写名称。")
        return int(value)

    def to_input(self, picked) -> ComplaintInput:
        """The service's input; a business picked from the registry supplies its own name and address."""
        data = self.cleaned_data
        return ComplaintInput(
            complainant_name=data["complainant_name"], complainant_phone=data["complainant_phone"],
            complainant_email=data["complainant_email"], complainant_id_number=data["complainant_id_number"],
            entity_id=data["entity"],
            business_name=picked.name if picked else data["business_name"],
            business_address=picked.address if picked else data["business_address"],
            platform_name=data["platform_name"], region_code=data["region_code"], item=data["item"],
            purchased_on=data["purchased_on"], amount=data["amount"] or None, description=data["description"],
            demand=data["demand"], consent_publication=data["consent_publication"],
            consent_mediation=data["consent_mediation"])


class TrackForm(forms.Form):
    tracking_no = _text("投诉编号", 20, missing="请填写投诉编号。", autocomplete="off", autocapitalize="characters")
    last4 = _text("手机号后四位", 4, missing="请填写手机号后四位。", inputmode="numeric", autocomplete="off",
                  pattern="[0-9]{4}")


class SettlementForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "接受"), ("reject", "不接受")])
    comment = forms.CharField(required=False, max_length=500)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因（选填）", required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(label="您对处理结果满意吗？", coerce=int, choices=Rating.choices,
                                    widget=forms.RadioSelect,
                                    error_messages={"required": "请选择 1 到 5 分的评价。",
                                                    "invalid_choice": "请选择 1 到 5 分的评价。"})
    comment = forms.CharField(label="评价意见（选填）", required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}))


class StationFilterForm(forms.Form):
    region = forms.ChoiceField(label="旗县区", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _county_choices("全部")


class RankingFilterForm(forms.Form):
    sector = forms.ChoiceField(label="行业", required=False)
    region = forms.ChoiceField(label="旗县区", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "全部")] + [(s.code, s.name) for s in sector_list()]
        self.fields["region"].choices = _county_choices("全部")
