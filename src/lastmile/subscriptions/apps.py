from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "lastmile.subscriptions"
    label = "subscriptions"
    verbose_name = _("Tariffs and subscriptions")

    def ready(self) -> None:
        from lastmile.customers.timeline import register_timeline_source
        from lastmile.subscriptions.timeline import subscription_events

        register_timeline_source("subscriptions", _("Subscriptions"), subscription_events)

        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "billing",
            [
                MenuItem(
                    _("Tariffs"),
                    "subscriptions:tariff_list",
                    model="subscriptions.Tariff",
                    order=10,
                ),
                MenuItem(
                    _("One-off services"),
                    "subscriptions:service_list",
                    model="subscriptions.OneOffService",
                    order=20,
                ),
                MenuItem(
                    _("Periodic fees"),
                    "subscriptions:fee_list",
                    model="subscriptions.PeriodicFee",
                    order=30,
                ),
                MenuItem(
                    _("Billing runs"),
                    "subscriptions:billing_runs",
                    model="subscriptions.BillingRun",
                    order=40,
                ),
            ],
        )

        from lastmile.customers.queries import register_customer_section
        from lastmile.finance.cashier import register_renewal_source
        from lastmile.finance.hooks import PAYMENT_CREDITED
        from lastmile.subscriptions.after_payment import on_payment
        from lastmile.subscriptions.notices import notify_payment
        from lastmile.subscriptions.promised import desk_renewal

        # After a payment: renew a lapsed auto-renew subscription or apply a waiting
        # pre-order, then "payment received" to the customer's channels (in this order).
        PAYMENT_CREDITED.register(on_payment)
        PAYMENT_CREDITED.register(notify_payment)
        register_renewal_source(desk_renewal)
        from lastmile.subscriptions.views import customer_subscriptions_context

        register_customer_section(
            "subscriptions/_customer_subscriptions.html",
            context=customer_subscriptions_context,
            order=20,
        )
