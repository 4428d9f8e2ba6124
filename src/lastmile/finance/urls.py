from django.urls import path

from lastmile.finance import views

app_name = "finance"

urlpatterns = [
    path("customers/<int:pk>/payment/", views.payment_create, name="payment_create"),
    path("customers/<int:pk>/correction/", views.correction_create, name="correction_create"),
    path("customers/<int:pk>/credit/", views.credit_edit, name="credit_edit"),
    path("customers/<int:pk>/ledger/", views.customer_ledger, name="customer_ledger"),
    path("payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("ledger/", views.ledger_report, name="ledger_report"),
]
