from django.apps import AppConfig


class EstatesConfig(AppConfig):
    name = "estates"
    verbose_name = "组织与小区台账"
