from .models import Notification


def notifications(request):
    """The unread-notice count shown in the header (one query, only for logged-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.visible_to(user).unread().count}
