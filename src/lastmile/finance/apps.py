from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "lastmile.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from lastmile.customers.timeline import register_timeline_source
        from lastmile.finance.timeline import money_events

        register_timeline_source("money", _("Money"), money_events)

        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "money",
            [
                MenuItem(
                    _("Cashier desk"),
                    "finance:cashier_desk",
                    model="finance.Payment",
                    action="add",
                    order=10,
                ),
                MenuItem(_("Payments"), "finance:payment_list", model="finance.Payment", order=20),
                MenuItem(
                    _("Shift report"), "finance:shift_report", model="finance.Payment", order=30
                ),
                MenuItem(
                    _("Ledger"), "finance:ledger_report", model="finance.LedgerEntry", order=40
                ),
            ],
        )

        from lastmile.customers.queries import register_customer_section
        from lastmile.finance.views import customer_money_context

        register_customer_section(
            "finance/_customer_money.html", context=customer_money_context, order=10
        )
