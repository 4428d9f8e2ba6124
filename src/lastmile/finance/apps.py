from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "lastmile.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from lastmile.customers.queries import register_customer_section
        from lastmile.finance.views import customer_money_context

        register_customer_section(
            "finance/_customer_money.html", context=customer_money_context, order=10
        )
