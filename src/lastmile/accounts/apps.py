from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lastmile.accounts"
    label = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "admin",
            [
                MenuItem(
                    _("Sites"),
                    "accounts:site_list",
                    model="accounts.Site",
                    when=_sites_on,
                    order=10,
                ),
                MenuItem(_("Login log"), "accounts:auth_events", superuser_only=True, order=20),
                MenuItem(_("API documentation"), "/api/v1/docs", order=30),
                MenuItem(_("Django administration"), "admin:index", superuser_only=True, order=90),
            ],
        )

        from lastmile.accounts import signals  # noqa: F401  (auth audit receivers)


def _sites_on(user: object) -> bool:
    from django.conf import settings

    return bool(settings.LASTMILE.sites_enabled)
