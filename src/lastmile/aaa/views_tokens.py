"""The staff page of a NAS's REST token: the token a FreeRADIUS in front of
that NAS sends to ``/api/v1/aaa/rest/*`` (rlm_rest).  Issuing shows the new
token once (only its hash is stored) and replaces the old one; revoking
ends HTTP access at once.  Both need ``change`` on the NAS and ask first."""

from __future__ import annotations

import structlog
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lastmile.aaa import rest
from lastmile.network.models import Nas

log = structlog.get_logger(__name__)


@login_required
def nas_token(request: HttpRequest, pk: int) -> HttpResponse:
    nas = get_object_or_404(Nas.objects.restrict(request.user, "change"), pk=pk)
    context = {"nas": nas, "title": _("REST token of %(nas)s") % {"nas": nas}, "token": ""}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            context["token"] = rest.issue_nas_token(nas=nas)
            log.info("nas.token_issued", nas_id=nas.pk, actor_id=request.user.pk)
        elif action == "revoke":
            if rest.revoke_nas_token(nas=nas):
                log.info("nas.token_revoked", nas_id=nas.pk, actor_id=request.user.pk)
                messages.success(request, _("The token is revoked: HTTP access of this NAS ends."))
            return HttpResponseRedirect(reverse("aaa:nas_token", args=[nas.pk]))
        else:
            messages.error(request, _("Choose to issue or to revoke the token."))
    return render(request, "aaa/nas_token.html", context)
