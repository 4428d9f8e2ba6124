from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "lastmile.subscriptions"
    label = "subscriptions"
    verbose_name = _("Tariffs and subscriptions")

    def ready(self) -> None:
        from lastmile.customers.queries import register_customer_section
        from lastmile.subscriptions.views import customer_subscriptions_context

        register_customer_section(
            "subscriptions/_customer_subscriptions.html",
            context=customer_subscriptions_context,
            order=20,
        )
