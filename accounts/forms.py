from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    SetPasswordMixin,
    UserChangeForm,
)

from .login_rules import password_login_refusal
from .models import Role, User


class LoginRulesMixin:
    """Refuses, after the password checked out, whom another app's rule keeps off passwords
    (``accounts.login_rules``: e.g. members of an organisation with mandatory single sign-on)."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = password_login_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal, code="password_login_refused")


class EmailAuthenticationForm(LoginRulesMixin, AuthenticationForm):
    """Django's login form, asking for the e-mail address.

    The field keeps the name ``username`` because django-axes reads it to count failures.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email"}
        )

    def clean_username(self):
        # Addresses are stored in lower case; lowering here also keeps "Alice@" and "alice@"
        # on the same lockout counter.
        return self.cleaned_data["username"].strip().lower()


class AdminLoginForm(LoginRulesMixin, AdminAuthenticationForm):
    """The admin site's login form, under the same rules as the site's own."""


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InvitationSignupForm(SetPasswordMixin, forms.Form):
    """A new account for an invited address: the e-mail comes from the invitation."""

    name = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        self.validate_passwords()
        # Validators such as "too similar to your e-mail" need the would-be user.
        self.validate_password_for_user(
            User(email=self.email, name=self.cleaned_data.get("name", ""))
        )
        return super().clean()


class LowercaseEmailMixin:
    """Addresses are stored in lower case (as ``UserManager`` does), so logins match them."""

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class UserAdminCreationForm(LowercaseEmailMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "name")


class UserAdminChangeForm(LowercaseEmailMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
