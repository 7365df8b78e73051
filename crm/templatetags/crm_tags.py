from django import template

register = template.Library()


@register.filter
def person(user, empty="—"):
    """A user's full name, else the user name; `empty` for nobody."""
    if user is None or user == "":
        return empty
    return user.get_full_name() or user.username
