"""The one scoping path (shared/DESIGN.md, principle 3).

A scoped model's queryset subclasses :class:`ScopedQuerySet` and declares where its region and
its organisation are (``region_path``, ``organization_path``). Then:

* government users (members of a civil-affairs bureau, housing bureau or street office) see the
  objects whose region lies in their organisation's region subtree (code prefix);
* applicant and operator users see the objects of their own organisations;
* anonymous users see only what ``published()`` returns (nothing by default);
* superusers see everything.

``editable_by`` is the same with only the roles that may change things (viewers are read-only).
Everything else — API viewsets, admin, portal views, exports — calls these two methods.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

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


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    from accounts.models import Membership

    view_codes, edit_codes, view_orgs, edit_orgs = set(), set(), set(), set()
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("organization__region")
    for membership in memberships:
        organization = membership.organization
        if not organization.is_active:
            continue
        view_orgs.add(organization.pk)
        if membership.role in EDITING_ROLES:
            edit_orgs.add(organization.pk)
        if organization.kind in GOVERNMENT_KINDS and organization.region_id:
            view_codes.add(organization.region.code)
            if membership.role in GOVERNMENT_EDITING_ROLES:
                edit_codes.add(organization.region.code)
    scope = Scope(
        _minimal_prefixes(view_codes),
        _minimal_prefixes(edit_codes),
        tuple(sorted(view_orgs)),
        tuple(sorted(edit_orgs)),
        is_superuser=user.is_superuser,
    )
    user._scope_cache = scope
    return scope


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

    def _scoped(self, user, *, edit: bool):
        if user is None or not user.is_authenticated:
            return self.none() if edit else self.published()
        if not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        scope = scope_for(user)
        condition = self.scope_condition(user, scope, edit=edit)
        return self.filter(condition) if condition is not None else self.none()

    def scope_condition(self, user, scope: Scope, *, edit: bool) -> Q | None:
        condition = None
        if self.region_path:
            for code in scope.region_codes(edit):
                part = Q(**{f"{self.region_path}__code__startswith": code})
                condition = part if condition is None else condition | part
        organization_ids = scope.organization_ids(edit)
        if self.organization_path and organization_ids:
            part = Q(**{f"{self.organization_path}__in": organization_ids})
            condition = part if condition is None else condition | part
        return condition
