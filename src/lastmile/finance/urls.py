from django.urls import path

from lastmile.finance import cashier_views, views

app_name = "finance"

urlpatterns = [
    path("customers/<int:pk>/payment/", views.payment_create, name="payment_create"),
    path("customers/<int:pk>/correction/", views.correction_create, name="correction_create"),
    path("customers/<int:pk>/credit/", views.credit_edit, name="credit_edit"),
    path("customers/<int:pk>/ledger/", views.customer_ledger, name="customer_ledger"),
    path("payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("ledger/", views.ledger_report, name="ledger_report"),
    path("cashier/", cashier_views.cashier_desk, name="cashier_desk"),
    path("payments/<int:pk>/", cashier_views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/receipt.pdf", cashier_views.payment_receipt, name="payment_receipt"),
    path("payments/<int:pk>/reverse/", cashier_views.payment_reverse, name="payment_reverse"),
    path("shift-report/", cashier_views.shift_report, name="shift_report"),
]
