from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetConfig(AppConfig):
    name = "lastmile.cabinet"
    label = "cabinet"
    verbose_name = _("Subscriber cabinet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lastmile.cabinet.services import end_sessions_and_tokens
        from lastmile.customers.passwords import CABINET_PASSWORD_SET

        # A new cabinet password (the subscriber's or a staff reset) ends the others.
        CABINET_PASSWORD_SET.register(end_sessions_and_tokens)

        from lastmile.cabinet.codes import staff_contact_context
        from lastmile.customers.queries import register_customer_section

        # Staff see on the customer page which contacts the subscriber confirmed.
        register_customer_section(
            "cabinet/_customer_contacts.html", context=staff_contact_context, order=6
        )
