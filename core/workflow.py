"""The one workflow helper (shared/DESIGN.md, principle 2).

A workflow is a declared table: the model, the field that holds its state, and the transitions,
each with the states it leaves, the state it reaches, its translated label, who may take it and the
inputs it accepts. A subclass adds only what is particular to it, as methods named after the
actors and the actions::

    class OrderFlow(Workflow):
        model = ServiceOrder
        transitions = (
            Transition("cancel", (S.REQUESTED, S.ASSIGNED), S.CANCELLED, _("Cancel"),
                       actor="operator", inputs=("reason",), confirm=_("The order is cancelled.")),
        )

        def actor_operator(self, order, user):      # -> Actor(...) or a refusal
            ...
        def check_cancel(self, order, by, reason=""):   # raise ValidationError
            ...
        def apply_cancel(self, order, by, actor, reason=""):  # change the row (and others)
            ...
        def notify(self, order, step, by, source):      # runs after the commit
            ...

    ORDERS = OrderFlow()
    ORDERS.available(order, user)       # what the page offers, with the reason for the rest
    ORDERS.perform(order, "cancel", by=user, reason="...")

``perform`` always goes in the same order, so every workflow answers a given mistake the same way:

1. an unknown action or an input the step does not take: ``ValidationError``;
2. ``prepare_<action>(by, **inputs)`` outside the transaction (upload checks: no row is locked
   while a file is read);
3. the row is locked (``select_for_update``) and read again;
4. who: the step's actor must accept the user, else ``PermissionDenied`` with the actor's reason;
5. a double click: when the row already stands where this action leads (``reached``) and
   ``already_done`` agrees, the locked row is returned and nothing else happens;
6. the state: a step that cannot leave the current state is a ``ValidationError`` naming it;
7. ``check_<action>``: the step's own rules (``ValidationError``);
8. ``apply_<action>``: the effects; then the state is set (``set_state``), the row saved, the
   transition audited and ``after`` run (effects that need the saved row), all inside the
   transaction and its audit context;
9. ``notify``: after the commit, never for a rolled-back step.

A state is usually a model field with ``TextChoices``; a workflow whose state is computed from
other fields (a programme's publication, from the dates that record it) declares ``states`` (the
choices), names a property as ``state_field`` (or overrides ``state_of``) and overrides
``set_state`` to write the fields the state is read from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core import audit

logger = logging.getLogger(__name__)

REGISTRY: list[Workflow] = []


def after_commit(callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the current transaction commits (at once outside a transaction).
    A failing callback is logged and does not undo the committed step."""
    transaction.on_commit(callback, robust=True)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: Any  # a lazy translation: what the button and the history say
    actor: str  # the name of the workflow's ``actor_<name>`` method
    inputs: tuple[str, ...] = ()  # what the step accepts besides ``by``
    confirm: Any = None  # set for irreversible steps: what the confirmation says will happen


@dataclass(frozen=True)
class Actor:
    """Who takes a step: ``allowed`` with the organisation acting (may be None for superusers),
    or not, with the reason the page shows."""

    allowed: bool
    organization: Any = None
    reason: str = ""

    @classmethod
    def refuse(cls, reason) -> Actor:
        return cls(False, None, str(reason))

    @classmethod
    def unless_refused(cls, check: Callable[[], Any], organization=None) -> Actor:
        """The actor a service's ``_require_*`` check admits: refused with the check's own
        message when it raises PermissionDenied; ``organization`` may be a callable, asked only
        when the user is admitted."""
        try:
            check()
        except PermissionDenied as refusal:
            return cls.refuse(refusal)
        return cls(True, organization() if callable(organization) else organization)


@dataclass(frozen=True)
class Action:
    """One action as a page or an API answer offers it."""

    name: str
    label: Any
    allowed: bool
    reason: str = ""
    confirm: Any = None
    inputs: tuple[str, ...] = field(default=())


class Workflow:
    model: ClassVar[type[models.Model]]
    state_field: ClassVar[str] = "status"
    states: ClassVar[type[models.TextChoices] | None] = None  # only when the state is not a field
    transitions: ClassVar[tuple[Transition, ...]] = ()
    select_related: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        names = {t.name for t in self.transitions}
        for t in self.transitions:
            if not callable(getattr(self, f"actor_{t.actor}", None)):
                raise TypeError(f"{type(self).__name__}: no actor_{t.actor}() for {t.name!r}")
        self.actions: tuple[str, ...] = tuple(dict.fromkeys(t.name for t in self.transitions))
        self._by_name = {name: [t for t in self.transitions if t.name == name] for name in names}
        REGISTRY.append(self)

    # --- the table ---------------------------------------------------------------------------

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def step(self, action: str, state: str) -> Transition | None:
        """The transition ``action`` takes from ``state``, if any."""
        return next((t for t in self._by_name.get(action, ()) if state in t.sources), None)

    def label(self, action: str):
        steps = self._by_name.get(action)
        return steps[0].label if steps else action

    def choices(self) -> dict:
        """Each state's value and its (lazy) label."""
        if self.states is not None:
            return dict(self.states.choices)
        return dict(self.model._meta.get_field(self.state_field).flatchoices)

    def state_label(self, state: str) -> str:
        return str(self.choices().get(state, state))

    def set_state(self, obj, state: str) -> None:
        setattr(obj, self.state_field, state)

    # --- asking --------------------------------------------------------------------------------

    def actor(self, obj, user, step: Transition) -> Actor:
        if user is None or not user.is_authenticated or not user.is_active:
            return Actor.refuse(_("Sign in first."))
        return getattr(self, f"actor_{step.actor}")(obj, user)

    def can(self, obj, user, action: str) -> tuple[bool, str]:
        """(allowed, reason) for ``action`` now, without locking (the page's question)."""
        if action not in self._by_name:
            return False, _("Unknown action “%(action)s”.") % {"action": action}
        step = self.step(action, self.state_of(obj))
        if step is None:
            return False, self.wrong_state_message(obj, action)
        who = self.actor(obj, user, step)
        return who.allowed, who.reason

    def available(self, obj, user, *, include_refused: bool = False) -> list[Action]:
        """The actions possible from the object's state; those the user may take, or all of them
        with the reason for each refusal when ``include_refused``."""
        state, offered = self.state_of(obj), []
        for name in self.actions:
            step = self.step(name, state)
            if step is None:
                continue
            who = self.actor(obj, user, step)
            if who.allowed or include_refused:
                offered.append(Action(name, step.label, who.allowed, who.reason, step.confirm, step.inputs))
        return offered

    def allowed_names(self, obj, user) -> list[str]:
        return [action.name for action in self.available(obj, user)]

    # --- doing ---------------------------------------------------------------------------------

    def perform(self, obj, action: str, *, by, **inputs):
        """Take ``action`` on ``obj`` for ``by`` (see the module's docstring for the order)."""
        steps = self._by_name.get(action)
        if not steps:
            raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action}, code="unknown")
        accepted = set().union(*(t.inputs for t in steps))
        unexpected = sorted(name for name, value in inputs.items() if name not in accepted and value)
        if unexpected:
            raise ValidationError(
                {
                    name: _("The step “%(step)s” does not take this field.") % {"step": steps[0].label}
                    for name in unexpected
                },
                code="unexpected",
            )
        inputs = {name: value for name, value in inputs.items() if name in accepted}
        prepare = getattr(self, f"prepare_{action}", None)
        if prepare is not None:
            prepare(by, **inputs)
        with transaction.atomic():
            locked = self.lock(obj)
            state = self.state_of(locked)
            step = self.step(action, state)
            if step is None:
                return self._not_from_here(locked, action, steps, by)
            who = self.actor(locked, by, step)
            if not who.allowed:
                raise PermissionDenied(who.reason)
            check = getattr(self, f"check_{action}", None)
            if check is not None:
                check(locked, by, **inputs)
            apply = getattr(self, f"apply_{action}", None)
            if apply is not None:
                apply(locked, by, who, **inputs)
            self.set_state(locked, step.target)
            with audit.audit_context(actor=by):
                locked.save()
                audit.record_transition(
                    locked, action, from_state=state, to_state=step.target, note=self.audit_note(inputs)
                )
                self.after(locked, step, by, who, state, inputs)
            after_commit(lambda: self.notify(locked, step, by, state))
        return locked

    def lock(self, obj):
        queryset = self.model._default_manager.select_for_update(of=("self",))
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset.get(pk=obj.pk)

    def _not_from_here(self, locked, action: str, steps: Iterable[Transition], by):
        """The action cannot leave the current state: a double click, someone not allowed, or a
        state that moved on."""
        for step in steps:
            if (
                self.reached(locked, step)
                and self.actor(locked, by, step).allowed
                and self.already_done(locked, step, by)
            ):
                return locked  # a double click: the first click did it
        if not any(self.actor(locked, by, step).allowed for step in steps):
            raise PermissionDenied(self.actor(locked, by, next(iter(steps))).reason)
        raise ValidationError(self.wrong_state_message(locked, action), code="invalid_state")

    # --- hooks -------------------------------------------------------------------------------

    def wrong_state_message(self, obj, action: str) -> str:
        return _("“%(action)s” is not possible while it is “%(status)s”.") % {
            "action": self.label(action),
            "status": self.state_label(self.state_of(obj)),
        }

    def reached(self, obj, step: Transition) -> bool:
        """Whether ``obj`` stands where ``step`` leads; a workflow whose later states imply the
        step (a programme whose list is published was announced) says so."""
        return self.state_of(obj) == step.target

    def already_done(self, locked, step: Transition, by) -> bool:
        """Whether the row standing at ``step.target`` means ``by``'s click already did it.
        By default yes; a workflow whose target can be reached by others says more."""
        return True

    def audit_note(self, inputs: dict) -> str:
        for name in ("text", "reason", "note"):
            value = inputs.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return ""

    def after(self, locked, step: Transition, by, actor: Actor, source: str, inputs: dict) -> None:
        """Effects that need the saved row (history rows, a pilot created on approval)."""

    def notify(self, obj, step: Transition, by, source: str) -> None:
        """Tell the people concerned; runs after the commit."""


def table(workflow: Workflow) -> list[dict]:
    """The declared table, for documentation and the checks."""
    return [
        {
            "action": t.name,
            "from": [workflow.state_label(s) for s in t.sources],
            "to": workflow.state_label(t.target),
            "label": str(t.label),
            "actor": t.actor,
        }
        for t in workflow.transitions
    ]
