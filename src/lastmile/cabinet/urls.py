from django.urls import path

from lastmile.cabinet import views

app_name = "cabinet"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("ledger/", views.ledger, name="ledger"),
    path("sessions/", views.sessions, name="sessions"),
    path("tariffs/", views.tariffs, name="tariffs"),
    path("tariffs/<int:pk>/buy/", views.buy, name="buy"),
    path("tariffs/<int:pk>/preorder/", views.preorder, name="preorder"),
    path("preorder/cancel/", views.cancel_preorder, name="cancel_preorder"),
    path("auto-renew/", views.auto_renew, name="auto_renew"),
    path("promised-payment/", views.promised_payment, name="promised_payment"),
    path("pay/", views.pay, name="pay"),
    path("pay/return/", views.pay_return, name="pay_return"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/password/", views.change_password, name="password"),
    path("settings/notifications/", views.notification_settings, name="notifications"),
    path("settings/telegram/", views.telegram_code, name="telegram"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("support/", views.support, name="support"),
    path("support/<int:pk>/", views.support_detail, name="support_detail"),
    path("settings/contact/", views.contact_start, name="contact_start"),
    path("settings/contact/confirm/", views.contact_confirm, name="contact_confirm"),
    path("payments/", views.payment_list, name="payments"),
    path("payments/<int:pk>/receipt.pdf", views.payment_receipt, name="receipt"),
    path("statement/", views.statement, name="statement"),
    path("statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("statement.csv", views.statement_csv, name="statement_csv"),
]
