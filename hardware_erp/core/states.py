"""One shape for every state machine (orders, purchase orders, stocktakes, tickets, scorecards).

An app declares its transitions once:

    MACHINE = StateMachine([
        Transition({S.DRAFT}, S.SUBMITTED, "orders.change_salesorder", _("Submit for approval")),
        Transition({S.SUBMITTED}, S.APPROVED, "orders.approve_salesorder", _("Approve")),
        ...
    ])

and its one `transition(obj, to, *, actor, note)` service calls `MACHINE.check(obj, to, actor)` (refuses with a
readable `BusinessRuleError` or `PermissionDenied`) before it writes the change and its event row. Pages list
`MACHINE.actions(obj, user)`: every transition from the current state with whether the user may start it and,
when not, why (a button withheld says why).
"""

from dataclasses import dataclass
from dataclasses import field as dc_field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .errors import BusinessRuleError


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    permission: str
    label: object  # the action's name on its button ("Approve"), translated
    manual: bool = True  # started by a button (False: follows from other work, e.g. shipments)
    style: str = "primary"

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))


@dataclass
class Action:
    transition: Transition
    allowed: bool
    reason: str = ""

    @property
    def target(self):
        return self.transition.target

    @property
    def label(self):
        return self.transition.label


@dataclass
class StateMachine:
    transitions: list
    field: str = "status"
    by_target: dict = dc_field(init=False)

    def __post_init__(self):
        self.by_target = {}
        for t in self.transitions:
            self.by_target.setdefault(t.target, []).append(t)

    def state(self, obj):
        return getattr(obj, self.field)

    def find(self, obj, target):
        """The transition to `target` from `obj`'s state, or None."""
        return next((t for t in self.by_target.get(target, ()) if self.state(obj) in t.sources), None)

    def check(self, obj, target, actor) -> Transition:
        t = self.find(obj, target)
        if t is None:
            raise BusinessRuleError(_("%(obj)s is %(state)s and cannot go to %(target)s."),
                                    params={"obj": obj, "state": _display(obj, self.field),
                                            "target": _label_of(obj, self.field, target)}, code="state")
        if actor is not None and not actor.has_perm(t.permission):
            raise PermissionDenied(_("You may not do this."))
        return t

    def actions(self, obj, user, *, extra_check=None) -> list:
        """Buttons for `obj` as `user` sees them. `extra_check(transition) -> reason or ""` adds the app's own
        reasons (segregation of duties, a training gate)."""
        out = []
        for t in self.transitions:
            if not t.manual or self.state(obj) not in t.sources:
                continue
            reason = "" if user.has_perm(t.permission) else str(_("Your role does not allow this."))
            if not reason and extra_check is not None:
                reason = str(extra_check(t) or "")
            out.append(Action(t, allowed=not reason, reason=reason))
        return out


def _display(obj, field_name):
    getter = getattr(obj, f"get_{field_name}_display", None)
    return getter() if getter else getattr(obj, field_name)


def _label_of(obj, field_name, value):
    choices = dict(obj._meta.get_field(field_name).flatchoices)
    return choices.get(value, value)
