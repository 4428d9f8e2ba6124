from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from lastmile.accounts import views as accounts_views
from lastmile.api.main import api
from lastmile.core import search as core_search
from lastmile.core import views as core_views

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("search/", core_search.search_view, name="search"),
    # Browsers ask for /favicon.ico on pages that name no icon (Django's admin).
    path(
        "favicon.ico",
        RedirectView.as_view(url=static_url("lastmile/favicon.svg"), permanent=True),
    ),
    path("login/", accounts_views.LoginView.as_view(), name="login"),
    path("logout/", accounts_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("lastmile.accounts.urls")),
    path("network/", include("lastmile.network.urls")),
    path("network/access/", include("lastmile.aaa.urls")),
    path("devices/", include("lastmile.devices.urls")),
    path("tickets/", include("lastmile.tickets.urls")),
    path("notifications/", include("lastmile.notifications.urls")),
    path("customers/", include("lastmile.customers.urls")),
    path("parties/", include("lastmile.parties.urls")),
    path("contracts/", include("lastmile.contracts.urls")),
    path("addresses/", include("lastmile.addresses.urls")),
    path("", include("lastmile.finance.gateways.urls")),
    path("finance/", include("lastmile.finance.urls")),
    path("billing/", include("lastmile.subscriptions.urls")),
    path("cabinet/", include("lastmile.cabinet.urls")),
    path("sorm/", include("lastmile.sorm.urls")),
    path(
        "history/<str:app_label>/<str:model_name>/<str:pk>/",
        core_views.object_history,
        name="object_history",
    ),
    path("api/v1/", api.urls),
]

# Off by default outside the demo (LASTMILE_ADMIN_ENABLED); its login is throttled
# like /login/ either way.
if settings.LASTMILE.admin_enabled:
    urlpatterns.append(path("admin/", admin.site.urls))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "lastmile.core.error_pages.permission_denied"
handler404 = "lastmile.core.error_pages.page_not_found"
handler500 = "lastmile.core.error_pages.server_error"
