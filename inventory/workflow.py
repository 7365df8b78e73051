"""The buttons of inventory's state machines (purchase orders, stocktakes) as a user sees them: every action from
the current state, and for one withheld the reason — the role, segregation of duties, or a training course still
to pass (training's gate backend leaves its message and the course's link on the user)."""

from dataclasses import dataclass


@dataclass
class Button:
    target: str
    label: str
    style: str
    allowed: bool
    reason: str = ""
    reason_url: str = ""
    reason_link: str = ""


def buttons(machine, obj, user, *, extra_check=None) -> list[Button]:
    out = []
    for action in machine.actions(obj, user, extra_check=extra_check):
        button = Button(action.target, str(action.label), action.transition.style, action.allowed, action.reason)
        if not action.allowed:
            gate = _training_gate(user, action.transition.permission)
            if gate:
                button.reason, button.reason_url = gate.get("message", button.reason), gate.get("url", "")
                button.reason_link = gate.get("link_label", "")
        out.append(button)
    return out


def _training_gate(user, permission):
    user.__dict__.pop("training_gate", None)
    user.has_perm(permission)  # a gate that withholds it leaves its reason on the user
    gate = getattr(user, "training_gate", None) or {}
    return gate if gate.get("permission") == permission else {}
