"""Notices: every decision reaches the people it concerns, in the portal and by e-mail."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Membership, Notification, Role

logger = logging.getLogger(__name__)


def members_of(organizations, roles=(Role.ORG_ADMIN, Role.OFFICER, Role.STAFF)):
    """Active users holding one of ``roles`` in any of ``organizations``."""
    memberships = Membership.objects.filter(
        organization__in=organizations, role__in=roles, is_active=True, user__is_active=True
    ).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def notify(users, *, title: str, body: str = "", link: str = "") -> list[Notification]:
    """Create one notification per user now; send the e-mails once the transaction commits."""
    users = [user for user in users if user is not None]
    created = Notification.objects.bulk_create(
        [Notification(recipient=user, title=title[:200], body=body, link=link) for user in users]
    )
    addresses = sorted({user.email for user in users if user.email})
    if addresses:
        transaction.on_commit(lambda: _send(addresses, title, body, link))
    return created


def notify_each(notices) -> list[Notification]:
    """Many notices at once, each ``(users, title, body, link)``: one insert for all of them
    (the daily reminders), the e-mails once the transaction commits."""
    rows, mails = [], []
    for users, title, body, link in notices:
        users = [user for user in users if user is not None]
        rows += [Notification(recipient=user, title=title[:200], body=body, link=link) for user in users]
        addresses = sorted({user.email for user in users if user.email})
        if addresses:
            mails.append((addresses, title, body, link))
    created = Notification.objects.bulk_create(rows, batch_size=1000) if rows else []
    if mails:
        transaction.on_commit(lambda: [_send(*mail) for mail in mails])
    return created


def _send(addresses, title, body, link):
    try:
        send_mail(
            title, f"{body}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False
        )
    except Exception:  # mail is a courtesy copy: the in-portal notice stands
        logger.exception("could not e-mail notice %r to %s", title, addresses)
