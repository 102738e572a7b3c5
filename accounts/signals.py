import time

from django.apps import apps as registry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from . import audit, roles, services
from .middleware import SessionRefreshMiddleware
from .scoping import bump_scope_version, scope_for

# the rows a user's scope is computed from
SCOPE_MODELS = frozenset({"accounts.Membership", "accounts.Organization", "regions.Region"})


@receiver(post_save, dispatch_uid="audit_post_save")
def audit_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, audit.AuditedModel):
        return
    changes = instance.audit_changes(created)
    if changes or created:
        audit.record(instance, "create" if created else "update", changes=changes)
    instance._audit_snapshot = instance.audit_values()
    instance._audit_loaded = None


@receiver(post_delete, dispatch_uid="audit_post_delete")
def audit_delete(sender, instance, **kwargs):
    if isinstance(instance, audit.AuditedModel):
        audit.record(
            instance,
            "delete",
            changes={
                key: [value, None]
                for key, value in instance.audit_values().items()
                if key not in instance.audit_secret
            },
        )


@receiver(user_login_failed, dispatch_uid="login_failure_counter")
def count_login_failure(sender, credentials, request=None, **kwargs):
    services.record_login_failure(credentials.get("username", ""), services.client_address(request))


@receiver(user_logged_in, dispatch_uid="login_failure_reset")
def reset_login_failures(sender, request, user, **kwargs):
    services.record_login_success(user, services.client_address(request))


@receiver(user_logged_in, dispatch_uid="login_session_and_scope")
def stamp_session_and_read_scope(sender, request, user, **kwargs):
    """A new session is saved with the login: stamped now, so the next request does not save it
    again (SessionRefreshMiddleware); the user's scope is read once and kept for the requests."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionRefreshMiddleware.STAMP] = int(time.time())
    scope_for(user)


@receiver(post_save, sender="accounts.Membership", dispatch_uid="membership_admin_access")
@receiver(post_delete, sender="accounts.Membership", dispatch_uid="membership_admin_access_delete")
def membership_admin_access(sender, instance, raw=False, **kwargs):
    if not raw:
        roles.sync_admin_access(instance.user)


@receiver(post_migrate, dispatch_uid="sync_role_groups")
def role_groups(sender, app_config=None, apps=None, **kwargs):
    # Once, after the last app: every app's permissions exist by then.
    with_models = [config for config in registry.get_app_configs() if config.models_module is not None]
    if app_config is not None and app_config is with_models[-1]:
        roles.sync_groups()


@receiver(post_save, dispatch_uid="scope_version_on_save")
@receiver(post_delete, dispatch_uid="scope_version_on_delete")
def forget_scopes(sender, **kwargs):
    """A membership, an organisation or a region changed: the scopes kept in the cache are
    recomputed on their next use (accounts.scoping.scope_for)."""
    if sender._meta.label in SCOPE_MODELS:
        bump_scope_version()
