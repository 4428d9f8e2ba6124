"""Default templates (English and Russian) of every event.

Installed by a data migration and used as the last fallback when staff
deleted a template.  Variables: see ``events.SAMPLE_CONTEXTS``.
"""

from __future__ import annotations

from typing import Any

# (event, language) -> (subject, body)
DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("payment_received", "en"): (
        "Payment received",
        "Dear {{ full_name|default:login }}, we received your payment of {{ amount }}. "
        "Your balance is {{ balance }}.",
    ),
    ("payment_received", "ru"): (
        "Платёж получен",
        "{{ full_name|default:login }}, ваш платёж {{ amount }} зачислен. Баланс: {{ balance }}.",
    ),
    ("balance_low", "en"): (
        "Low balance",
        "Your balance is {{ balance }}, below {{ threshold }}. Please top up to stay connected.",
    ),
    ("balance_low", "ru"): (
        "Низкий баланс",
        "Ваш баланс {{ balance }} ниже {{ threshold }}. Пополните счёт, чтобы остаться на связи.",
    ),
    ("subscription_ending", "en"): (
        "Your service ends soon",
        "Your tariff {{ tariff }} ends on {{ ends_on }} (in {{ days_left }} days). "
        "Renewal costs {{ price }}.",
    ),
    ("subscription_ending", "ru"): (
        "Услуга скоро закончится",
        "Тариф {{ tariff }} заканчивается {{ ends_on }} (через {{ days_left }} дн.). "
        "Продление стоит {{ price }}.",
    ),
    ("subscription_ended", "en"): (
        "Your service has ended",
        "Your tariff {{ tariff }} ended on {{ ended_on }}.",
    ),
    ("subscription_ended", "ru"): (
        "Услуга закончилась",
        "Тариф {{ tariff }} закончился {{ ended_on }}.",
    ),
    ("access_blocked", "en"): (
        "Access blocked",
        "Your internet access is blocked ({{ reason }}). Balance: {{ balance }}.",
    ),
    ("access_blocked", "ru"): (
        "Доступ заблокирован",
        "Доступ в интернет заблокирован ({{ reason }}). Баланс: {{ balance }}.",
    ),
    ("tariff_changed", "en"): (
        "Tariff changed",
        "Your tariff changed from {{ old_tariff }} to {{ new_tariff }} ({{ price }}).",
    ),
    ("tariff_changed", "ru"): (
        "Тариф изменён",
        "Ваш тариф изменён: {{ old_tariff }} → {{ new_tariff }} ({{ price }}).",
    ),
    ("ticket_assigned", "en"): (
        "Ticket #{{ ticket_id }} assigned to you",
        "Ticket #{{ ticket_id }} ({{ ticket_kind }}, {{ ticket_priority }}) is assigned to you. "
        "Customer: {{ customer_login }} {{ customer_address }}. Due: {{ due_at }}. "
        "{{ ticket_description }} {{ ticket_url }}",
    ),
    ("ticket_assigned", "ru"): (
        "Вам назначена заявка №{{ ticket_id }}",
        "Заявка №{{ ticket_id }} ({{ ticket_kind }}, {{ ticket_priority }}) назначена вам. "
        "Абонент: {{ customer_login }} {{ customer_address }}. Срок: {{ due_at }}. "
        "{{ ticket_description }} {{ ticket_url }}",
    ),
    ("ticket_finished", "en"): (
        "Your request #{{ ticket_id }} is done",
        "Your request #{{ ticket_id }} ({{ ticket_kind }}) is done: {{ comment }}",
    ),
    ("ticket_finished", "ru"): (
        "Ваша заявка №{{ ticket_id }} выполнена",
        "Ваша заявка №{{ ticket_id }} ({{ ticket_kind }}) выполнена: {{ comment }}",
    ),
    ("ticket_subscriber_reply", "en"): (
        "Subscriber replied on ticket #{{ ticket_id }}",
        "{{ customer_login }} ({{ customer_address }}) replied on ticket #{{ ticket_id }} "
        "({{ ticket_kind }}){% if was_reopened %}, which is open again{% endif %}: "
        "{{ reply_text }}{% if file_count %} [files: {{ file_count }}]{% endif %} {{ ticket_url }}",
    ),
    ("ticket_subscriber_reply", "ru"): (
        "Ответ абонента в заявке №{{ ticket_id }}",
        "{{ customer_login }} ({{ customer_address }}) ответил в заявке №{{ ticket_id }} "
        "({{ ticket_kind }}){% if was_reopened %}, заявка снова открыта{% endif %}: "
        "{{ reply_text }}{% if file_count %} [файлов: {{ file_count }}]{% endif %} {{ ticket_url }}",
    ),
    ("ticket_unassigned", "en"): (
        "New ticket #{{ ticket_id }} waits for someone",
        "Ticket #{{ ticket_id }} ({{ ticket_kind }}, {{ ticket_priority }}) was opened by "
        "{% if by_subscriber %}the subscriber in the cabinet{% else %}{{ author }}{% endif %} "
        "and nobody is assigned to it. Customer: {{ customer_login }} "
        "{{ customer_address }}. {{ ticket_description }} {{ ticket_url }}",
    ),
    ("ticket_unassigned", "ru"): (
        "Новая заявка №{{ ticket_id }} ждёт исполнителя",
        "Заявку №{{ ticket_id }} ({{ ticket_kind }}, {{ ticket_priority }}) "
        "{% if by_subscriber %}оставил абонент в личном кабинете{% else %}создал сотрудник {{ author }}"
        "{% endif %}, и она никому не назначена. Абонент: {{ customer_login }} "
        "{{ customer_address }}. {{ ticket_description }} {{ ticket_url }}",
    ),
    ("device_down", "en"): (
        "Device down: {{ device }}",
        "{{ device }} ({{ device_ip }}, {{ device_address }}) is down since {{ since }}. "
        "{{ detail }} {{ device_url }}",
    ),
    ("device_down", "ru"): (
        "Устройство недоступно: {{ device }}",
        "{{ device }} ({{ device_ip }}, {{ device_address }}) недоступно, время: {{ since }}. "
        "{{ detail }} {{ device_url }}",
    ),
    ("device_up", "en"): (
        "Device up: {{ device }}",
        "{{ device }} ({{ device_ip }}, {{ device_address }}) answers again since {{ since }}. "
        "{{ device_url }}",
    ),
    ("device_up", "ru"): (
        "Устройство снова доступно: {{ device }}",
        "{{ device }} ({{ device_ip }}, {{ device_address }}) снова отвечает, время: {{ since }}. "
        "{{ device_url }}",
    ),
    ("port_down", "en"): (
        "Port down: {{ device }} {{ port }}",
        "Port {{ port }}{% if port_role %} ({{ port_role }}){% endif %}"
        "{% if port_description %} “{{ port_description }}”{% endif %} of {{ device }} "
        "({{ device_ip }}, {{ device_address }}) has no link since {{ since }}. {{ device_url }}",
    ),
    ("port_down", "ru"): (
        "Порт без линка: {{ device }} {{ port }}",
        "Порт {{ port }}{% if port_role == 'uplink' %} (аплинк){% endif %}"
        "{% if port_description %} «{{ port_description }}»{% endif %} устройства {{ device }} "
        "({{ device_ip }}, {{ device_address }}) без линка, время: {{ since }}. {{ device_url }}",
    ),
    ("port_up", "en"): (
        "Port up: {{ device }} {{ port }}",
        "Port {{ port }}{% if port_role %} ({{ port_role }}){% endif %}"
        "{% if port_description %} “{{ port_description }}”{% endif %} of {{ device }} "
        "({{ device_ip }}, {{ device_address }}) has its link again since {{ since }}. "
        "{{ device_url }}",
    ),
    ("port_up", "ru"): (
        "Линк на порту восстановлен: {{ device }} {{ port }}",
        "Порт {{ port }}{% if port_role == 'uplink' %} (аплинк){% endif %}"
        "{% if port_description %} «{{ port_description }}»{% endif %} устройства {{ device }} "
        "({{ device_ip }}, {{ device_address }}) линк снова поднят, время: {{ since }}. "
        "{{ device_url }}",
    ),
    ("one_time_code", "en"): (
        "Your code: {{ code }}",
        "Your code for {{ purpose }}: {{ code }}. It works for {{ minutes }} minutes. "
        "If you did not ask for it, ignore this message.",
    ),
    ("one_time_code", "ru"): (
        "Ваш код: {{ code }}",
        "Код для операции «{{ purpose }}»: {{ code }}. Действует {{ minutes }} мин. "
        "Если вы не запрашивали код, ничего не делайте.",
    ),
    # A message staff wrote (customers' bulk action); already personalised.
    ("staff_message", "en"): ("{{ subject }}", "{{ text }}"),
    ("staff_message", "ru"): ("{{ subject }}", "{{ text }}"),
}


def install_default_templates(template_model: Any) -> int:
    """Create the missing default templates (never overwrites staff edits)."""
    created = 0
    for (event, language), (subject, body) in DEFAULT_TEMPLATES.items():
        _obj, was_created = template_model.objects.get_or_create(
            event=event,
            language=language,
            channel="",
            defaults={"subject": subject, "body": body},
        )
        created += int(was_created)
    return created
