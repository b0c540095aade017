from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表"

    def ready(self):
        from reports import exports, ledger

        exports.register("estate_ledger", "小区台账", ledger.build_ledger_export)
