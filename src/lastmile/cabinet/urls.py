from django.urls import path

from lastmile.cabinet.views import login, money, overview, preferences, support, tariffs

app_name = "cabinet"

urlpatterns = [
    path("", overview.home, name="home"),
    path("login/", login.login, name="login"),
    path("logout/", login.logout, name="logout"),
    path("ledger/", overview.ledger, name="ledger"),
    path("sessions/", overview.sessions, name="sessions"),
    path("tariffs/", tariffs.tariffs, name="tariffs"),
    path("tariffs/<int:pk>/buy/", tariffs.buy, name="buy"),
    path("tariffs/<int:pk>/preorder/", tariffs.preorder, name="preorder"),
    path("preorder/cancel/", tariffs.cancel_preorder, name="cancel_preorder"),
    path("auto-renew/", tariffs.auto_renew, name="auto_renew"),
    path("promised-payment/", tariffs.promised_payment, name="promised_payment"),
    path("pay/", money.pay, name="pay"),
    path("pay/return/", money.pay_return, name="pay_return"),
    path("settings/", preferences.settings_page, name="settings"),
    path("settings/password/", preferences.change_password, name="password"),
    path("settings/notifications/", preferences.notification_settings, name="notifications"),
    path("settings/telegram/", preferences.telegram_code, name="telegram"),
    path("password/forgot/", login.password_forgot, name="password_forgot"),
    path("password/reset/", login.password_reset, name="password_reset"),
    path("support/", support.support, name="support"),
    path("support/<int:pk>/", support.support_detail, name="support_detail"),
    path("support/files/<int:pk>/", support.support_attachment, name="support_attachment"),
    path("settings/contact/", preferences.contact_start, name="contact_start"),
    path("settings/contact/confirm/", preferences.contact_confirm, name="contact_confirm"),
    path("payments/", money.payment_list, name="payments"),
    path("messages/", money.message_list, name="messages"),
    path("payments/<int:pk>/receipt.pdf", money.payment_receipt, name="receipt"),
    path("statement/", money.statement, name="statement"),
    path("statement.pdf", money.statement_pdf, name="statement_pdf"),
    path("statement.csv", money.statement_csv, name="statement_csv"),
]
