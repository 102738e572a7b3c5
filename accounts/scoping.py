"""The one scoping path (shared/DESIGN.md, principle 3).

A scoped model's queryset subclasses :class:`ScopedQuerySet` and declares where its region and
its organisation are (``region_path``, ``organization_path``). Then:

* government users (members of a civil-affairs bureau, housing bureau or street office) see the
  objects whose region lies in their organisation's region subtree (code prefix);
* applicant and operator users see the objects of their own organisations;
* anonymous users see only what ``published()`` returns (nothing by default);
* superusers see everything.

``editable_by`` is the same with only the roles that may change things (viewers are read-only).
Everything else — API viewsets, admin, portal views, exports — calls these two methods, through
the few helpers below rather than by hand:

* :func:`is_editable` / :func:`require_editable` — may this user change this object (one query);
* :func:`scoped_object_or_404` — one object for a page, a download or an action: anything outside
  the user's scope does not exist for them (404, never 403);
* :func:`acting_organization` — the organisation through which the user acts (a street office of
  the street, an issuing bureau, a bureau over a region, the applicant unit);
* ``regions.models.region_subtree`` — the "region under this region" condition (code prefix);
* ``accounts.api.base.ScopedChoicesMixin`` — related-field choices of the API's serializers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from regions.models import Region, region_subtree

GOVERNMENT_KINDS = frozenset({"civil_affairs", "housing", "street_office"})
EDITING_ROLES = frozenset({"officer", "org_admin", "staff"})
GOVERNMENT_EDITING_ROLES = frozenset({"officer", "org_admin"})


@dataclass(frozen=True)
class Scope:
    view_region_codes: tuple[str, ...]
    edit_region_codes: tuple[str, ...]
    view_organization_ids: tuple[int, ...]
    edit_organization_ids: tuple[int, ...]
    is_superuser: bool = False
    # The active memberships (of active organisations) the scope was computed from, with their
    # organisation and its region: what :func:`acting_organization` chooses from.
    memberships: tuple = field(default=(), compare=False, repr=False)

    def region_codes(self, edit: bool) -> tuple[str, ...]:
        return self.edit_region_codes if edit else self.view_region_codes

    def organization_ids(self, edit: bool) -> tuple[int, ...]:
        return self.edit_organization_ids if edit else self.view_organization_ids

    @property
    def is_government(self) -> bool:
        return bool(self.view_region_codes)

    def covers_region(self, region, edit: bool = False) -> bool:
        if self.is_superuser:
            return True
        return region is not None and any(region.code.startswith(code) for code in self.region_codes(edit))


EMPTY_SCOPE = Scope((), (), (), ())


def _minimal_prefixes(codes: set[str]) -> tuple[str, ...]:
    """Drop codes already covered by a shorter one (长宁区 covers its streets)."""
    ordered = sorted(codes, key=len)
    kept: list[str] = []
    for code in ordered:
        if not any(code.startswith(prefix) for prefix in kept):
            kept.append(code)
    return tuple(sorted(kept))


# The scope of a user is kept in the cache across requests, under the current scope version.
# Any change to a membership, an organisation or a region gives a new version (accounts.signals),
# so every kept scope is recomputed on its next use: a scope is never older than the rows it
# was computed from.
SCOPE_VERSION_KEY = "scope:version"
SCOPE_CACHE_SECONDS = 60 * 60


def bump_scope_version() -> None:
    """Forget every cached scope (now, and again when the current transaction commits, so a
    request that read the rows before the commit cannot keep its scope under the new version)."""

    def bump():
        cache.set(SCOPE_VERSION_KEY, uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump)


def _scope_version() -> str:
    version = cache.get(SCOPE_VERSION_KEY)
    if version is None:
        cache.add(SCOPE_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(SCOPE_VERSION_KEY)
    return version


def _scope_key(user) -> str:
    # the account's creation time too: a user id reused (tests rolled back) is another user
    joined = user.date_joined.timestamp() if getattr(user, "date_joined", None) else 0
    return f"scope:{user.pk}:{joined!r}"


def scope_for(user) -> Scope:
    """The user's scope: computed once per user object (one query), kept across requests in the
    cache until a membership, an organisation or a region changes (two cache reads, one round
    trip)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    key = _scope_key(user)
    found = cache.get_many([SCOPE_VERSION_KEY, key])
    version = found.get(SCOPE_VERSION_KEY) or _scope_version()
    kept = found.get(key)
    if kept is not None and kept[0] == version:
        scope = replace(kept[1], is_superuser=user.is_superuser)
    else:
        scope = _compute_scope(user)
        cache.set(key, (version, scope), SCOPE_CACHE_SECONDS)
    user._scope_cache = scope
    return scope


def fresh_scope_for(user) -> Scope:
    """The scope read from the database now, never from the cache (which it refreshes): for a
    check that must not act on a scope changed behind the signals' back (a queryset ``update``
    sends none), such as a background job's before it writes another person's file."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    scope = _compute_scope(user)
    cache.set(_scope_key(user), (_scope_version(), scope), SCOPE_CACHE_SECONDS)
    user._scope_cache = scope
    return scope


def _compute_scope(user) -> Scope:
    from accounts.models import Membership  # noqa: PLC0415 - accounts.models imports this module

    view_codes, edit_codes, view_orgs, edit_orgs = set(), set(), set(), set()
    memberships = [
        membership
        for membership in Membership.objects.filter(user=user, is_active=True).select_related(
            "organization__region"
        )
        if membership.organization.is_active
    ]
    for membership in memberships:
        organization = membership.organization
        view_orgs.add(organization.pk)
        if membership.role in EDITING_ROLES:
            edit_orgs.add(organization.pk)
        if organization.kind in GOVERNMENT_KINDS and organization.region_id:
            view_codes.add(organization.region.code)
            if membership.role in GOVERNMENT_EDITING_ROLES:
                edit_codes.add(organization.region.code)
    return Scope(
        _minimal_prefixes(view_codes),
        _minimal_prefixes(edit_codes),
        tuple(sorted(view_orgs)),
        tuple(sorted(edit_orgs)),
        is_superuser=user.is_superuser,
        memberships=tuple(memberships),
    )


def acting_organization(user, *, kinds=None, roles=EDITING_ROLES, region=None, among=None):
    """The organisation through which ``user`` acts: the first of the user's active memberships
    (of active organisations) whose role is in ``roles``, whose organisation's kind is in
    ``kinds`` (any if None), whose organisation's region covers ``region`` (if given) and which
    is one of ``among`` (organisations or ids, if given). ``None`` when there is none. Costs no
    query once the user's scope is known (the memberships are read with it)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    wanted = None if among is None else {getattr(item, "pk", item) for item in among}
    for membership in scope_for(user).memberships:
        organization = membership.organization
        if membership.role not in roles:
            continue
        if kinds is not None and organization.kind not in kinds:
            continue
        if wanted is not None and organization.pk not in wanted:
            continue
        if region is not None and not (
            organization.region_id and region.code.startswith(organization.region.code)
        ):
            continue
        return organization
    return None


def choices_method(model) -> str | None:
    """How a reference to ``model`` is narrowed when a user picks it (admin forms, API
    serializers): ``editable_by`` (a record points at what the user may change), ``visible_to``
    for people (anyone the user can see), nothing for divisions (reference data open to all) or
    for models without a scope."""
    if model is Region or not hasattr(model._default_manager.all(), "editable_by"):
        return None
    return "visible_to" if model is get_user_model() else "editable_by"


def _in_scope(queryset_or_model, user, *, edit: bool):
    queryset = getattr(queryset_or_model, "_default_manager", queryset_or_model)
    return queryset.editable_by(user) if edit else queryset.visible_to(user)


def is_editable(obj, user) -> bool:
    """May ``user`` change ``obj`` (is it in its model's ``editable_by``)? One query."""
    return _in_scope(type(obj), user, edit=True).filter(pk=obj.pk).exists()


def require_editable(obj, user, message=None) -> None:
    """Raise PermissionDenied (with ``message``, or a general one) unless ``user`` may change
    ``obj``. For an object the user can see; one the user cannot see is a 404 earlier on."""
    if not is_editable(obj, user):
        raise PermissionDenied(message or _("You may view this record but not change it."))


def scoped_object_or_404(queryset_or_model, user, *, edit=False, **lookup):
    """The object matching ``lookup`` among those ``user`` can see (or, with ``edit``, change);
    Http404 otherwise — an object outside the user's scope does not exist for them."""
    return get_object_or_404(_in_scope(queryset_or_model, user, edit=edit), **lookup)


class ScopedQuerySet(models.QuerySet):
    region_path: str | None = None
    organization_path: str | None = None

    def published(self):
        """What anonymous visitors may read. Nothing unless a model says otherwise."""
        return self.none()

    def visible_to(self, user):
        return self._scoped(user, edit=False)

    def editable_by(self, user):
        return self._scoped(user, edit=True)

    def _scoped(self, user, *, edit: bool, scope_condition=None):
        if user is None or not user.is_authenticated:
            return self.none() if edit else self.published()
        if not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        scope = scope_for(user)
        condition = (scope_condition or self.scope_condition)(user, scope, edit=edit)
        return self.filter(condition) if condition is not None else self.none()

    def scope_condition(self, user, scope: Scope, *, edit: bool) -> Q | None:
        condition = None
        if self.region_path and scope.region_codes(edit):
            condition = region_subtree(self.region_path, *scope.region_codes(edit))
        organization_ids = scope.organization_ids(edit)
        if self.organization_path and organization_ids:
            part = Q(**{f"{self.organization_path}__in": organization_ids})
            condition = part if condition is None else condition | part
        return condition
