from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.audit import audit_context
from accounts.models import User


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print its secret (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")
        parser.add_argument("--read-only", action="store_true", help="the token may only read")
        parser.add_argument("--expires-days", type=int, default=None, help="days until the token expires")

    def handle(self, *args, username, name, read_only, expires_days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            with audit_context(channel="system"):
                token, secret = services.issue_token(
                    user, name=name, read_only=read_only, expires_days=expires_days
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {token.name!r} for {user.username}"
            f"{' (read-only)' if token.read_only else ''}"
            f"{f', expires {token.expires_at:%Y-%m-%d %H:%M %Z}' if token.expires_at else ''}:"
        )
        self.stdout.write(secret)
