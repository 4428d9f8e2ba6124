from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AaaConfig(AppConfig):
    name = "lastmile.aaa"
    label = "aaa"
    verbose_name = _("RADIUS")

    def ready(self) -> None:
        from lastmile.aaa.outcome import render_watched
        from lastmile.core import notices
        from lastmile.core.menu import MenuItem, register_menu

        notices.register_provider(render_watched)

        register_menu(
            "network",
            [
                MenuItem(
                    _("Access changes"), "aaa:change_list", model="aaa.AccessChange", order=70
                ),
                MenuItem(_("NAS requests"), "aaa:attempt_list", model="aaa.NasAttempt", order=80),
            ],
        )

        from lastmile.aaa.apply import on_access_changed
        from lastmile.core.hooks import ACCESS_CHANGED

        ACCESS_CHANGED.register(on_access_changed)

        from lastmile.aaa.views import customer_access_context
        from lastmile.customers.queries import register_customer_section

        register_customer_section(
            "aaa/_customer_access.html", context=customer_access_context, order=35
        )
