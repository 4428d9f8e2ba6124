from django.urls import path

from lastmile.subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("tariffs/", views.TariffListView.as_view(), name="tariff_list"),
    path("tariffs/add/", views.TariffEditView.as_view(), name="tariff_add"),
    path("tariffs/<int:pk>/", views.TariffEditView.as_view(), name="tariff_edit"),
    path("tariffs/<int:pk>/delete/", views.TariffDeleteView.as_view(), name="tariff_delete"),
    path("fees/", views.FeeListView.as_view(), name="fee_list"),
    path("fees/add/", views.FeeEditView.as_view(), name="fee_add"),
    path("fees/<int:pk>/", views.FeeEditView.as_view(), name="fee_edit"),
    path("fees/<int:pk>/delete/", views.FeeDeleteView.as_view(), name="fee_delete"),
    path("services/", views.ServiceListView.as_view(), name="service_list"),
    path("services/add/", views.ServiceEditView.as_view(), name="service_add"),
    path("services/<int:pk>/", views.ServiceEditView.as_view(), name="service_edit"),
    path("services/<int:pk>/delete/", views.ServiceDeleteView.as_view(), name="service_delete"),
    path("billing-runs/", views.BillingRunListView.as_view(), name="billing_runs"),
    path("billing-runs/run/", views.billing_run_now, name="billing_run_now"),
    path("customers/<int:pk>/buy/", views.buy, name="buy"),
    path("customers/<int:pk>/preorder/", views.preorder, name="preorder"),
    path(
        "customers/<int:pk>/subscriptions/<int:sub_pk>/terminate/",
        views.terminate,
        name="terminate",
    ),
    path(
        "customers/<int:pk>/subscriptions/<int:sub_pk>/auto-renew/",
        views.toggle_auto_renew,
        name="auto_renew",
    ),
    path("customers/<int:pk>/sell/", views.sell_service, name="sell_service"),
    path("customers/<int:pk>/fees/", views.assign_fee, name="assign_fee"),
    path("customers/<int:pk>/fees/<int:fee_pk>/stop/", views.stop_fee, name="stop_fee"),
]
