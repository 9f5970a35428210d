from django import forms

from fangxin.organisation.selectors import counties, sector_list, specific_commitment_list

from .choices import DisplayMethod, EnrollmentStatus


class EnrollmentForm(forms.Form):
    commitment_version = forms.IntegerField(widget=forms.HiddenInput)
    specific = forms.MultipleChoiceField(label="可选承诺（可多选）", required=False,
                                         widget=forms.CheckboxSelectMultiple)
    display_method = forms.ChoiceField(label="创建标志展示方式", choices=DisplayMethod.choices,
                                       widget=forms.RadioSelect, initial=DisplayMethod.IN_STORE)
    signed_name = forms.CharField(label="签署人姓名", max_length=60)
    agreed = forms.BooleanField(label="我已阅读上述统一承诺，代表本单位自愿签署并接受社会监督", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specific"].choices = [(c.code, f"{c.name}：{c.description}") for c in specific_commitment_list()]


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label="变更为", choices=[
        (EnrollmentStatus.SUSPENDED, "暂停创建资格"), (EnrollmentStatus.ACTIVE, "恢复创建资格"),
        (EnrollmentStatus.REVOKED, "撤销创建资格"), (EnrollmentStatus.WITHDRAWN, "退出创建活动")])
    reason = forms.CharField(label="原因", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class ReissueForm(forms.Form):
    reason = forms.CharField(label="补发原因", max_length=300)


class RosterFilterForm(forms.Form):
    q = forms.CharField(label="名称、代码或编号", required=False, max_length=60)
    region = forms.ChoiceField(label="旗县区", required=False)
    sector = forms.ChoiceField(label="行业", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *EnrollmentStatus.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部")] + [(r.code, r.name) for r in counties()]
        self.fields["sector"].choices = [("", "全部")] + [(s.code, s.name) for s in sector_list()]


class ClaimForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, min_length=18,
                           help_text="营业执照上的 18 位代码")
    legal_representative = forms.CharField(label="法定代表人（经营者）姓名", max_length=60,
                                           help_text="与营业执照一致，提交后由所在旗县区工作人员核实确认")


class ClaimDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label="审核结果", choices=[("1", "确认"), ("0", "驳回")], coerce=lambda v: v == "1")
    reason = forms.CharField(label="说明（驳回时必填）", required=False, max_length=200)


class BadgeReportForm(forms.Form):
    where_seen = forms.CharField(label="在哪里看到这个标志（店名、地址或网址）", max_length=200)
    description = forms.CharField(label="情况说明", max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    contact_phone = forms.CharField(label="联系电话（选填，仅工作人员可见）", max_length=20, required=False)
