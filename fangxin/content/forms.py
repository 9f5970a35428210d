"""Forms of the content pages. They only parse what was typed; the rules (lengths, scope, transitions, answers)
are checked by services.py, whose message is shown on the form."""

from django import forms
from django.utils import timezone

from fangxin.accounts.scope import scope_of
from fangxin.organisation.models import Department, Region, Sector

from .choices import ArticleKind, ArticleStatus
from .questions import format_questions


def regions_for(user):
    rows = Region.objects.filter(level__in=("city", "county")).order_by("code")
    scope = scope_of(user)
    if not scope.everything and scope.region_path is not None:
        rows = rows.filter(path__startswith=scope.region_path)
    return rows


class ArticleForm(forms.Form):
    kind = forms.ChoiceField(label="栏目", choices=ArticleKind.choices)
    title = forms.CharField(label="标题", max_length=120)
    summary = forms.CharField(label="摘要", required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 2}), help_text="列表和首页显示的一两句话。")
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 16}),
                           help_text="Markdown 格式：空行分段，“## ”开头为小标题，“- ”开头为列表，[文字](https://…) 为链接。"
                                     "不支持 HTML；图片只能引用本站地址。发布时自动遮盖手机号、姓名等个人信息。")
    sector = forms.ModelChoiceField(label="行业", required=False, queryset=Sector.objects.order_by("seq"),
                                    empty_label="（不限行业）")
    region = forms.ModelChoiceField(label="地区", queryset=Region.objects.none(), empty_label=None)
    department = forms.ModelChoiceField(label="发布部门", queryset=Department.objects.filter(is_active=True),
                                        help_text="普法文章按“谁执法谁普法”由执法部门发布。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user)
        if not self.is_bound and "department" not in self.initial and user.department_id:
            self.initial["department"] = user.department_id


class ArticleFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *ArticleStatus.choices])
    kind = forms.ChoiceField(label="栏目", required=False, choices=[("", "全部"), *ArticleKind.choices])
    q = forms.CharField(label="关键词", required=False, max_length=50)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label="操作", choices=ArticleStatus.choices,
                                  error_messages={"invalid_choice": "请选择操作。", "required": "请选择操作。"})
    reason = forms.CharField(label="理由", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="退回或撤回时必填，撰稿人可以看到。",
                             error_messages={"max_length": "理由最多 1000 个字。"})


class SurveyForm(forms.Form):
    title = forms.CharField(label="调查名称", max_length=120)
    sector = forms.ModelChoiceField(label="行业", queryset=Sector.objects.order_by("seq"))
    region = forms.ModelChoiceField(label="地区", queryset=Region.objects.none(), empty_label=None)
    opens_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label="结束日期（含当天）", widget=forms.DateInput(attrs={"type": "date"}))
    intro = forms.CharField(label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    questions = forms.CharField(
        label="题目", widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一题。评分题：评分｜题目（1–5 分）；单选题：单选｜题目｜选项一｜选项二…（2–8 个选项）。")
    allow_comment = forms.BooleanField(label="允许填写意见建议（提交时自动遮盖个人信息）", required=False, initial=True)

    def __init__(self, *args, user, survey=None, **kwargs):
        if survey is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {"title": survey.title, "sector": survey.sector_id, "region": survey.region_id,
                                 "opens_on": survey.opens_on, "closes_on": survey.closes_on, "intro": survey.intro,
                                 "questions": format_questions(survey.questions.all()),
                                 "allow_comment": survey.allow_comment}
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user)
        if not self.is_bound and survey is None:
            self.initial.setdefault("opens_on", timezone.localdate())
