from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "Single sign-on"

    def ready(self):
        from accounts import login_rules

        from .policy import mandatory_sso_refusal

        # accounts asks its password-login rules without knowing this app (it sits below it).
        login_rules.register(mandatory_sso_refusal)
