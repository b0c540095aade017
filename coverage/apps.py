from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "coverage"
    verbose_name = "物业管理覆盖"
