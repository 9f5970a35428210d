"""Forms of the public publicity pages (no account). They only parse what was typed; the phone format, the
evidence file and the publicity period are checked by services.objection_file."""

from django import forms


def _text(label: str, max_length: int, *, missing: str = "", **attrs):
    field = forms.CharField(label=label, max_length=max_length,
                            error_messages={"required": missing or f"请填写{label}。",
                                            "max_length": f"{label}最多 {max_length} 个字。"})
    field.widget.attrs.update(attrs)
    return field


class ObjectionForm(forms.Form):
    name = _text("您的姓名", 60, autocomplete="name")
    contact_phone = _text("联系电话", 30, missing="请填写联系电话，以便核实异议和答复您。", autocomplete="tel",
                          inputmode="tel")
    content = forms.CharField(label="异议内容", max_length=3000, widget=forms.Textarea(attrs={"rows": 6}),
                              error_messages={"required": "请填写异议内容。", "max_length": "异议内容最多 3000 个字。"})
    evidence = forms.FileField(label="证据材料", required=False,
                               widget=forms.FileInput(attrs={
                                   "accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}))


class LookupForm(forms.Form):
    reference_no = _text("异议编号", 20, missing="请填写异议编号。", autocomplete="off", autocapitalize="characters")
    last4 = _text("手机号后四位", 4, missing="请填写手机号后四位。", inputmode="numeric", autocomplete="off",
                  pattern="[0-9]{4}")
