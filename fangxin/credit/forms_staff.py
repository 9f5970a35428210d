"""Forms of the staff credit pages: the list filter, a list entry and its exit, an administrative penalty and a
commitment breach on a business's ledger. They check the shape of the input; the services decide."""

from django import forms
from django.utils import timezone

from .choices import ExitReason, ListKind
from .list_selectors import STATUS_ALL, STATUS_CURRENT, STATUS_EXITED
from .services import LIST_REASONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"required": "请填写日期。", "invalid": "请填写有效的日期，如 2026-11-20。"}
STATUS_CHOICES = [(STATUS_CURRENT, "在名单中"), (STATUS_EXITED, "已移出"), (STATUS_ALL, "全部")]


def _required(label: str) -> dict:
    return {"required": f"请填写{label}。", "max_length": f"{label}过长（最多 %(limit_value)d 个字）。"}


def _not_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError("日期不能晚于今天。")
    return value


def reason_choices():
    """The reason codes grouped by list, as the select shows them."""
    return [("", "请选择"), *((ListKind(kind).label, [(code, f"{code} {label}") for code, label in reasons])
                            for kind, reasons in LIST_REASONS.items())]


class ListFilterForm(forms.Form):
    list = forms.ChoiceField(label="名单", required=False, choices=[("", "全部名单"), *ListKind.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES)
    county = forms.ChoiceField(label="旗县区", required=False)
    q = forms.CharField(label="名称或统一社会信用代码", required=False, max_length=60)

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", "全部"), *((c.code, c.name) for c in counties)]


class EntityPickForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码或名称", max_length=60,
                           error_messages={"required": "请填写统一社会信用代码或名称。"},
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                           help_text="填写 18 位代码直接打开；填写名称中的几个字则列出您管辖范围内名称相符的市场主体。")


class ListEnterForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=30, error_messages=_required("统一社会信用代码"),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                           help_text="18 位代码；该市场主体须已登记在名录中且在您的管辖范围内。")
    kind = forms.ChoiceField(label="名单", choices=[("", "请选择"), *ListKind.choices],
                             error_messages={"required": "请选择名单。", "invalid_choice": "请选择名单。"})
    reason_code = forms.ChoiceField(label="列入事由", choices=reason_choices,
                                    error_messages={"required": "请选择列入事由。",
                                                    "invalid_choice": "请选择列入事由。"})
    reason = forms.CharField(label="具体事由", max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="选“其他”时必填；不填则以所选事由为准。将在门户网站公示。")
    authority = forms.CharField(label="作出决定机关", max_length=100, error_messages=_required("作出决定机关"))
    document_number = forms.CharField(label="决定书文号", max_length=100, error_messages=_required("决定书文号"),
                                      help_text="如 临市监异〔2026〕15号")
    entered_on = forms.DateField(label="列入日期", widget=DATE, error_messages=DATE_ERRORS,
                                 validators=[_not_future])


class ListExitForm(forms.Form):
    exit_reason = forms.ChoiceField(label="移出原因", choices=[("", "请选择"), *ExitReason.choices],
                                    error_messages={"required": "请选择移出原因。",
                                                    "invalid_choice": "请选择移出原因。"})
    document_number = forms.CharField(label="移出决定书文号", max_length=100,
                                      error_messages=_required("移出决定书文号"))
    exited_on = forms.DateField(label="移出日期", widget=DATE, error_messages=DATE_ERRORS, validators=[_not_future])


class PenaltyForm(forms.Form):
    prefix = "penalty"  # both ledger forms are on one page: their fields need distinct names and ids

    decided_on = forms.DateField(label="处罚决定日期", widget=DATE, error_messages=DATE_ERRORS,
                                 validators=[_not_future])
    document_number = forms.CharField(label="处罚决定书文号", max_length=100, error_messages=_required("处罚决定书文号"),
                                      help_text="同一文号只记一次，重复录入不会重复扣分。")
    authority = forms.CharField(label="作出决定机关", max_length=100, error_messages=_required("作出决定机关"))
    detail = forms.CharField(label="违法行为和处罚内容", max_length=300, error_messages=_required("处罚内容"),
                             widget=forms.Textarea(attrs={"rows": 3}))


class BreachForm(forms.Form):
    prefix = "breach"

    occurred_on = forms.DateField(label="发生日期", widget=DATE, error_messages=DATE_ERRORS,
                                  validators=[_not_future])
    detail = forms.CharField(label="违反的承诺和经过", max_length=300, error_messages=_required("违反承诺的内容"),
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="如：承诺七日无理由退货，拒绝为消费者办理退货。")
    document_number = forms.CharField(label="文书编号", max_length=100, required=False,
                                      help_text="如责令改正通知书编号；填写后同一编号只记一次。")
    authority = forms.CharField(label="认定机关", max_length=100, required=False)
