from django.apps import AppConfig


class CaiqConfig(AppConfig):
    name = "caiq"
    verbose_name = "CAIQ catalog"
