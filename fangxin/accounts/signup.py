"""Merchants sign up themselves; every other account is made by an administrator."""

from django import forms
from django.contrib.auth import login, password_validation
from django.contrib.auth.forms import UsernameField
from django.shortcuts import redirect, render

from fangxin.core.actors import Actor, client_ip_of
from fangxin.core.exceptions import FangxinError

from .choices import Role
from .models import User
from .services import user_create


class SignupForm(forms.Form):
    username = UsernameField(label="用户名", max_length=150, help_text="字母、数字或 @ . + - _，登录时使用")
    full_name = forms.CharField(label="姓名", max_length=60)
    phone = forms.RegexField(label="手机号码", regex=r"^1[3-9]\d{9}$", error_messages={"invalid": "请输入 11 位手机号码"})
    password1 = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="至少 10 位，不能全是数字，不能与用户名相近")
    password2 = forms.CharField(label="再次输入密码", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("该用户名已被使用，请换一个。")
        return username

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        elif data.get("password1"):
            candidate = User(username=data.get("username", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(data["password1"], candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


def signup(request):
    if request.user.is_authenticated:
        return redirect("workbench:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = Actor(user=None, name=data["username"], role="public", client_ip=client_ip_of(request))
        try:
            user = user_create(actor=actor, username=data["username"], password=data["password1"], role=Role.MERCHANT,
                               full_name=data["full_name"], phone=data["phone"])
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("campaign:claim")
    return render(request, "accounts/signup.html", {"form": form})
