"""``lastmile create-token USERNAME``: create a staff API token and print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lastmile.accounts.models import User
from lastmile.accounts.services import create_api_token


class Command(BaseCommand):
    help = "Create an API token for a staff user and print its secret (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument(
            "--days", type=int, default=None, help="Lifetime in days (0 = never expires)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active staff user named {options['username']!r}.")
        token, secret = create_api_token(
            user=user, name=options["name"], expires_in_days=options["days"]
        )
        expiry = token.expires_at.isoformat() if token.expires_at else "never"
        self.stderr.write(f"Token {token.name!r} for {user.username}, expires {expiry}:")
        self.stdout.write(secret)
