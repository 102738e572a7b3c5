from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(ModelBackend):
    """Django's backend, refusing accounts locked after repeated wrong passwords, whatever
    form or view calls ``authenticate``."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.is_locked()
