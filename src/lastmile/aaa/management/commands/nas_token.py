"""``lastmile nas_token <NAS name or address>``: a new HTTP token for the
FreeRADIUS in front of that NAS (rlm_rest mode); printed once, only its hash
is stored.  Issuing a new one revokes the old."""

from __future__ import annotations

import contextlib
import ipaddress
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from lastmile.aaa.rest import issue_nas_token
from lastmile.network.models import Nas


class Command(BaseCommand):
    help = "Issue the rlm_rest token of a NAS (shown once; replaces the previous token)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("nas", help="the NAS's name or address")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["nas"]
        condition = Q(name=wanted)
        with contextlib.suppress(ValueError):  # a name, not an address
            condition |= Q(address=str(ipaddress.ip_address(wanted)))
        nases = list(Nas.objects.filter(condition)[:2])
        if len(nases) != 1:
            raise CommandError(f"no single NAS named or at {wanted!r}")
        self.stdout.write(issue_nas_token(nas=nases[0]))
