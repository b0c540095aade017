from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "works"
    verbose_name = "工程、预算与招投标"
