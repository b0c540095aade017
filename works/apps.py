from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "works"
    verbose_name = "工程、预算与招投标"

    def ready(self):
        from reports import exports as report_exports
        from works import exports

        report_exports.register("works_sheet", "工程量及预算表", exports.build_works_sheet_export)
