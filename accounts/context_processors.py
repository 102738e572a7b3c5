from .models import Notification
from .scoping import scope_for


def notifications(request):
    """The unread-notice count shown in the header (one query, only for logged-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.visible_to(user).unread().count,
        # the statistics are for government users (officers, statistics staff); lazy: only
        # computed when a page's header asks
        "show_statistics": lambda: user.is_superuser or scope_for(user).is_government,
    }
