"""``manage.py api_token <username> [--name NAME]`` prints a new API token.

``manage.py api_token <username> --revoke PREFIX`` revokes one of the user's tokens.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from weibao.accounts.models import ApiToken, User
from weibao.accounts.services import api_token_create, api_token_revoke
from weibao.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an API token for a user and print it once, or revoke one of the user's tokens by prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="What the token is for (default: cli).")
        parser.add_argument(
            "--revoke", metavar="PREFIX", help="Revoke the user's token starting with PREFIX."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user named %(name)r.") % {"name": options["username"]})
        # The command acts as the token's owner: whoever runs it already controls the server.
        try:
            if options["revoke"]:
                prefix = options["revoke"].rstrip("…").rstrip(".")
                matches = list(ApiToken.objects.filter(user=user, prefix__startswith=prefix[:12]))
                matches = [t for t in matches if (t.prefix.startswith(prefix) or prefix.startswith(t.prefix))]
                if not matches:
                    raise CommandError(
                        _("No token of %(user)s starts with %(prefix)r.")
                        % {"user": user.username, "prefix": prefix}
                    )
                if len(matches) > 1:
                    raise CommandError(
                        _("%(n)d tokens start with %(prefix)r; give a longer prefix.")
                        % {"n": len(matches), "prefix": prefix}
                    )
                token = api_token_revoke(actor=user, token_id=matches[0].pk)
                self.stdout.write(
                    _("Revoked %(prefix)s… (%(name)s).") % {"prefix": token.prefix, "name": token.name}
                )
                return
            _token, raw = api_token_create(actor=user, name=options["name"])
        except DomainError as exc:
            raise CommandError(str(exc.detail)) from exc
        self.stdout.write(raw)
