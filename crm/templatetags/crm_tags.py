from django import template

register = template.Library()


@register.filter
def person(user, empty="—"):
    """A user's full name, else the user name; `empty` for nobody."""
    if user is None or user == "":
        return empty
    return user.get_full_name() or user.username


@register.simple_tag
def move_targets(opportunity):
    """The stages an opportunity may be moved to from its own, in pipeline order: (value, label) pairs for the
    card's "Move to" menu (the keyboard's and the screen reader's way to do what a drag does)."""
    from ..choices import StageChoices
    from ..services import TRANSITIONS

    allowed = TRANSITIONS.get(opportunity.stage, set())
    return [(s.value, s.label) for s in StageChoices if s.value in allowed]
