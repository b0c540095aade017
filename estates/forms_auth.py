from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The login form with Chinese labels and messages (the locale supplies the rest)."""

    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    # Bounded like every typed text; generous, so no password a user could set is cut off.
    password = forms.CharField(
        label="密码",
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "用户名或密码不正确。请注意密码区分大小写；连续输错多次账号将被暂时锁定。",
        "inactive": "该账号已停用，请联系指挥部办公室。",
    }
