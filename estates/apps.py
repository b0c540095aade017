from django.apps import AppConfig


class EstatesConfig(AppConfig):
    name = "estates"
    verbose_name = "组织与小区台账"

    def ready(self):
        from estates.validators import install_model_limits

        install_model_limits()
