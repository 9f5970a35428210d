"""Forms of the staff workbench pages: queue filters, staff entry, the action forms on the detail page,
metrics filters, the service-station registry and the outbox filter. They only parse; the services decide."""

from datetime import date

from django import forms
from django.urls import reverse
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.core.models import NotificationStatus
from fangxin.organisation.models import Department, Region
from fangxin.organisation.selectors import counties, department_list, sector_list

from . import selectors
from .choices import Channel, Kind, ReasonKind, ReferralDestination, SettlementType, Status
from .identity import clean_id_number
from .services import PROBLEM_TYPES

PROBLEM_TYPE_LABELS = {
    "quality": "商品质量", "false_ad": "虚假宣传", "price": "价格", "unfair_terms": "不公平格式条款",
    "after_sales": "售后服务", "no_reason_return": "七日无理由退货", "safety": "人身财产安全", "prepaid": "预付卡",
    "personal_info": "个人信息", "contract": "合同与服务", "other": "其他",
}
PROBLEM_TYPE_CHOICES = [(code, PROBLEM_TYPE_LABELS[code]) for code in PROBLEM_TYPES]
STAFF_CHANNELS = [(c, Channel(c).label) for c in (Channel.HOTLINE, Channel.WALK_IN, Channel.LETTER, Channel.STATION)]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def scope_counties(user):
    """The counties a user may pick: those in their region (everything for whole-system roles)."""
    region = getattr(user, "region", None)
    if user.role in STAFF_ROLES and region is not None:
        return counties(within=region)
    return counties()


def _county_choices(user, blank: str = "全部"):
    return [("", blank)] + [(r.code, r.name) for r in scope_counties(user)]


def _sector_choices(blank: str = "全部"):
    return [("", blank)] + [(s.code, s.name) for s in sector_list()]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label="编号或经营者名称", required=False, max_length=60)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Status.choices])
    region = forms.ChoiceField(label="旗县区", required=False)
    sector = forms.ChoiceField(label="行业", required=False)
    channel = forms.ChoiceField(label="来源渠道", required=False, choices=[("", "全部"), *Channel.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _county_choices(user)
        self.fields["sector"].choices = _sector_choices()


class ClassificationForm(forms.Form):
    """The classification fieldset: on staff entry and (confirm or correct) on the detail page."""

    sector = forms.ChoiceField(label="行业", required=False)
    problem_types = forms.MultipleChoiceField(label="问题类型（可多选）", required=False, choices=PROBLEM_TYPE_CHOICES,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = _sector_choices("请选择")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class StaffEntryForm(ClassificationForm):
    kind = forms.ChoiceField(label="类别", choices=Kind.choices, initial=Kind.COMPLAINT, widget=forms.RadioSelect)
    channel = forms.ChoiceField(label="来源渠道", choices=STAFF_CHANNELS)
    station = forms.ChoiceField(label="受理的维权服务站", required=False, help_text="来源渠道为维权服务站时必选")
    received_on = forms.DateField(label="收到日期", widget=DATE, help_text="可早于今天（按实际收到的日期登记）")
    complainant_name = forms.CharField(label="投诉（举报）人姓名", max_length=60)
    complainant_phone = forms.CharField(label="联系电话", max_length=20)
    complainant_email = forms.EmailField(label="电子邮箱", required=False)
    complainant_address = forms.CharField(label="联系地址", required=False, max_length=200)
    complainant_id_number = forms.CharField(label="证件号码（居民身份证）", required=False, max_length=20,
                                            help_text="选填；填写时核对 18 位号码的校验位")
    business_name = forms.CharField(label="被投诉经营者名称", max_length=120)
    business_uscc = forms.CharField(label="经营者统一社会信用代码", required=False, max_length=18,
                                    help_text="填写后自动匹配登记的市场主体")
    business_address = forms.CharField(label="经营者地址", required=False, max_length=200)
    platform_name = forms.CharField(label="所在网络平台", required=False, max_length=60)
    region_code = forms.ChoiceField(label="事发地旗县区", required=False,
                                    help_text="未匹配到登记的经营者时，按事发地确定管辖")
    item = forms.CharField(label="商品或服务", max_length=120)
    purchased_on = forms.DateField(label="消费日期", required=False, widget=DATE)
    amount = forms.CharField(label="涉及金额（元）", required=False, max_length=20)
    description = forms.CharField(label="投诉（举报）内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    demand = forms.CharField(label="投诉请求", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text="举报可不填")
    files = MultipleFileField(label="证据材料（图片或 PDF，最多 5 个）", required=False)
    consent_mediation = forms.BooleanField(label="投诉人同意调解（含先由经营者和解）", required=False)
    consent_publication = forms.BooleanField(label="投诉人同意公示（隐去个人信息）", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = [("", "（不适用）")] + [
            (str(s.pk), f"{s.region.name} · {s.town} · {s.name}") for s in selectors.staff_stations(user).filter(is_active=True)]
        self.fields["region_code"].choices = _county_choices(user, "（按经营者或本单位）")
        self.initial.setdefault("received_on", timezone.localdate())
        self.fields["description"].widget.attrs.update({
            "hx-post": reverse("complaints:triage_prefill"), "hx-trigger": "change", "hx-target": "#classification",
            "hx-swap": "outerHTML"})
        self.order_fields(["kind", "channel", "station", "received_on", "complainant_name", "complainant_phone",
                           "complainant_email", "complainant_address", "complainant_id_number", "business_name", "business_uscc",
                           "business_address", "platform_name", "region_code", "item", "purchased_on", "amount",
                           "description", "demand", "files", "consent_mediation", "consent_publication"])

    def clean_complainant_id_number(self):
        return clean_id_number(self.cleaned_data.get("complainant_id_number"))

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.STATION and not data.get("station"):
            self.add_error("station", "请选择受理投诉的维权服务站。")
        if data.get("kind") == Kind.COMPLAINT and not (data.get("demand") or "").strip():
            self.add_error("demand", "请填写投诉请求。")
        return data


# --- actions on the detail page --------------------------------------------------------------------------------

class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(label="不予受理的情形")
    note = forms.CharField(label="说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "请选择")] + [
            (str(r.number), f"第（{r.number}）项：{r.text}") for r in selectors.reasons(complaint, ReasonKind.REFUSAL)]


class EndMediationForm(forms.Form):
    ground = forms.ChoiceField(label="终止调解的情形")
    note = forms.CharField(label="说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    business_refused = forms.BooleanField(
        label="被投诉人拒绝调解（记入其信用档案）", required=False,
        help_text="仅在以“拒绝或者不参加调解”为由终止、且拒绝的是被投诉经营者时勾选。")

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = [("", "请选择")] + [
            (str(r.number), f"第（{r.number}）项：{r.text}") for r in selectors.reasons(complaint, ReasonKind.END_GROUND)]


class TransferForm(forms.Form):
    region = forms.ChoiceField(label="接收的旗县区", required=False)
    department = forms.ChoiceField(label="接收的部门", required=False)
    reason = forms.CharField(label="分送理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "（不变）")] + [(r.code, r.name) for r in counties()
                                                             if r.pk != complaint.region_id]
        self.fields["department"].choices = [("", "（不变）")] + [(str(d.pk), d.name) for d in department_list()]

    def clean(self):
        data = super().clean()
        if not data.get("region") and not data.get("department"):
            raise forms.ValidationError("请选择接收的旗县区或部门。")
        return data


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label="承办人", required=False)

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        from fangxin.accounts.models import User

        staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES, region=complaint.region_id)
        if complaint.department_id:
            staff = staff | User.objects.filter(is_active=True, role__in=STAFF_ROLES,
                                                department=complaint.department_id)
        self.fields["assignee"].choices = [("", "（取消指派）")] + [
            (str(u.pk), u.display_name) for u in staff.distinct().order_by("username")]


class MediationStartForm(forms.Form):
    held_on = forms.DateField(label="调解日期", widget=DATE)
    place = forms.CharField(label="调解地点", max_length=100)
    mediator = forms.CharField(label="调解人员", max_length=60)


class MediationSessionForm(forms.Form):
    held_on = forms.DateField(label="调解日期", widget=DATE)
    place = forms.CharField(label="调解地点", max_length=100)
    mediator = forms.CharField(label="调解人员", max_length=60)
    attendees = forms.CharField(label="参加人", max_length=200)
    summary = forms.CharField(label="调解情况", max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    recusal_requested = forms.BooleanField(label="当事人申请调解人员回避", required=False)
    recusal_decision = forms.CharField(label="回避的处理结果", required=False, max_length=200)


class TestingStartForm(forms.Form):
    note = forms.CharField(label="检测鉴定事项", max_length=300)


class AgreementForm(forms.Form):
    settlement_type = forms.ChoiceField(label="调解结果的方式", choices=[("", "请选择"), *SettlementType.choices])
    terms = forms.CharField(label="协议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    recovered_amount = forms.CharField(label="挽回经济损失（元）", required=False, max_length=20)
    advance_compensation = forms.CharField(label="其中赔偿先付（元）", required=False, max_length=20)


class ReferForm(forms.Form):
    destination = forms.ChoiceField(label="移交去向", choices=[("", "请选择"), *ReferralDestination.choices])
    body_name = forms.CharField(label="接收机构名称", max_length=100)
    on = forms.DateField(label="移交日期", widget=DATE)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", required=False, max_length=500)


class ReportDecideForm(forms.Form):
    open_case = forms.TypedChoiceField(label="核查结论", choices=[("1", "立案调查"), ("0", "不予立案")],
                                       coerce=lambda v: v == "1", widget=forms.RadioSelect)
    note = forms.CharField(label="核查情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


# --- metrics, stations, outbox --------------------------------------------------------------------------------

class MetricsFilterForm(forms.Form):
    start = forms.DateField(label="收到日期自", required=False, widget=DATE)
    end = forms.DateField(label="至", required=False, widget=DATE)
    region = forms.ChoiceField(label="旗县区", required=False)
    sector = forms.ChoiceField(label="行业", required=False)
    department = forms.ChoiceField(label="承办部门", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _county_choices(user)
        self.fields["sector"].choices = _sector_choices()
        self.fields["department"].choices = [("", "全部")] + [(d.code, d.name) for d in department_list()]

    def period(self) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("start") or date(today.year, 1, 1), data.get("end") or today

    def scope(self) -> dict:
        from fangxin.organisation.models import Sector

        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "region": Region.objects.filter(code=data["region"]).first() if data.get("region") else None,
            "sector": Sector.objects.filter(code=data["sector"]).first() if data.get("sector") else None,
            "department": Department.objects.filter(code=data["department"]).first() if data.get("department") else None,
        }


class StationForm(forms.Form):
    region = forms.ChoiceField(label="所在旗县区")
    town = forms.CharField(label="苏木乡镇（街道）", max_length=60)
    name = forms.CharField(label="名称", max_length=100)
    host = forms.CharField(label="设站单位", max_length=100, help_text="设在哪家企业、市场或机关")
    address = forms.CharField(label="地址", max_length=200)
    hours = forms.CharField(label="服务时间", max_length=100)
    contact_phone = forms.CharField(label="联系电话", max_length=30)
    is_active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _county_choices(user, "请选择")

    def clean_region(self):
        return Region.objects.get(code=self.cleaned_data["region"], level="county")


class StationFilterForm(forms.Form):
    region = forms.ChoiceField(label="旗县区", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _county_choices(user)


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(label="发送状态", required=False, choices=[("", "全部"), *NotificationStatus.choices])
