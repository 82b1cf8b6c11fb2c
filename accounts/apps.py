from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from .api import schema  # noqa: F401 - registers the token scheme with drf-spectacular
        from .login_limits import record_failure

        # Counting failures per address is what the signal is for (axes counts its own the same
        # way); the refusal itself is a backend, in front of the password check.
        user_login_failed.connect(record_failure, dispatch_uid="accounts.login_address_failures")
