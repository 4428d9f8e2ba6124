"""The real URLconf plus pages that fail, to see the 500 pages (tests only)."""

from django.urls import path

from lastmile.urls import handler403, handler404, handler500, urlpatterns


def _fail(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


def _refuse(request):  # type: ignore[no-untyped-def]
    from lastmile.finance.errors import PromisedPaymentRefused

    raise PromisedPaymentRefused("Promised payments are not offered.")


urlpatterns = [
    path("fail/", _fail),
    path("refuse/", _refuse),
    path("cabinet/fail/", _fail),
    path("api/v1/fail/", _fail),
    *urlpatterns,
]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
