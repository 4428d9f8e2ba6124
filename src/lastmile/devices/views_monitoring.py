"""A device's status history and the external monitors' webhook (Zabbix-style)."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lastmile.devices import monitoring
from lastmile.devices.models import StatusChange
from lastmile.devices.views_common import _device


@login_required
def status_history(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device(request, pk)
    changes = StatusChange.objects.filter(device=device)[:500]
    return render(
        request,
        "devices/status_history.html",
        {"device": device, "changes": changes, "title": _("Status history")},
    )


@csrf_exempt
@require_POST
def status_webhook(request: HttpRequest) -> HttpResponse:
    """Zabbix-style: ``X-Lastmile-Token`` header; JSON or form ``device`` (name
    or IP) and ``status`` (up/down, or Zabbix's PROBLEM/OK)."""
    secret = settings.LASTMILE.devices_webhook_token
    given = request.headers.get("X-Lastmile-Token", "")
    if secret is None or not secret.get_secret_value():
        return JsonResponse({"error": "the webhook is off"}, status=404)
    if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
        return JsonResponse({"error": "bad token"}, status=401)
    try:
        data = (
            json.loads(request.body) if request.content_type == "application/json" else request.POST
        )
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    if not hasattr(data, "get"):
        return JsonResponse({"error": "send an object"}, status=400)
    status = str(data.get("status", "")).strip().lower()
    words = {"up": True, "ok": True, "resolved": True, "down": False, "problem": False}
    if status not in words:
        return JsonResponse({"error": "status must be up or down"}, status=400)
    device = monitoring.find_device(str(data.get("device", "")))
    if device is None:
        return JsonResponse({"error": "no such device"}, status=404)
    change = monitoring.observe(
        device,
        is_up=words[status],
        source="webhook",
        detail=str(data.get("message", ""))[:500],
    )
    return JsonResponse({"device": device.name, "status": device.status, "changed": bool(change)})
