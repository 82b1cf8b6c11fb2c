from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from .api import schema  # noqa: F401 - registers the token scheme with drf-spectacular
