"""``/pay/<gateway>/…`` (provider callbacks, from each plugin's ``url_patterns``)
and ``/finance/gateways/…`` (staff pages).  Mounted once at the site root."""

from django.urls import include, path

from lastmile.finance.gateways import staff
from lastmile.finance.gateways.base import all_gateways

pay_patterns = [
    path(f"{gateway.name}/", include((gateway.url_patterns(), gateway.name)))
    for gateway in all_gateways()
    if gateway.url_patterns()
]

staff_patterns = [
    path("", staff.gateway_list, name="gateway_list"),
    path("<slug:name>/settings/", staff.gateway_edit, name="gateway_edit"),
    path("log/", staff.RequestLogView.as_view(), name="request_log"),
    path("reconciliation/", staff.reconciliation, name="reconciliation"),
    path("registry/", staff.registry_upload, name="registry_upload"),
    path("registry/<int:pk>/", staff.registry_preview, name="registry_preview"),
]

urlpatterns = [
    path("pay/", include((pay_patterns, "pay"))),
    path("finance/gateways/", include((staff_patterns, "gateways"))),
]
