"""The access matrix: every URL of the project × every role → the expected HTTP status.

Rows live per app in `tests/access/<app>.py` as `ROWS = [Row(...), ...]`; `test_matrix.py` tries each
row as each role (and signed out) and fails on any difference, and fails when a URL pattern of the
project has no row (or a row names a URL that no longer exists). `docs/roles.md` shows the same table:
after changing rows, regenerate it with `python -m tests.access.doc --write`.

    Row("crm:customer_list", expect=only("sales_rep", "sales_manager", "finance_clerk", "general_manager"))
    Row("crm:customer", kwargs=lambda: {"pk": CustomerFactory().pk}, expect={...})

`expect` maps every role key and "anonymous" to a status (or a tuple of acceptable statuses).
Object-level rules (another rep's customer by id) are each app's own tests.
"""

from dataclasses import dataclass, field

from hardware_erp.core.roles import ROLES

ANONYMOUS = "anonymous"
ROLE_KEYS = (ANONYMOUS, *ROLES)
LOGIN = 302  # signed-out users are sent to the sign-in page


@dataclass(frozen=True)
class Row:
    name: str  # URL name, "app:name"
    expect: dict  # role key or "anonymous" -> status or tuple of statuses
    kwargs: object = field(default_factory=dict)  # dict, or a callable returning the dict (runs in the test DB)
    method: str = "get"
    data: dict = field(default_factory=dict)
    note: str = ""

    def __post_init__(self):
        missing = set(ROLE_KEYS) - set(self.expect)
        if missing:
            raise ValueError(f"access row {self.name}: no expected status for {', '.join(sorted(missing))}")


def only(*roles, status=200, denied=403, anonymous=LOGIN) -> dict:
    """`status` for the given roles, `denied` for the other roles, `anonymous` when signed out."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    return {ANONYMOUS: anonymous, **{r: (status if r in roles else denied) for r in ROLES}}


def signed_in(status=200, anonymous=LOGIN) -> dict:
    """Every signed-in role gets `status`."""
    return {ANONYMOUS: anonymous, **dict.fromkeys(ROLES, status)}


def everyone(status=200) -> dict:
    return dict.fromkeys(ROLE_KEYS, status)


def module(key, status=200) -> dict:
    """The roles whose role opens module `key` (core/roles.py) get `status`; others 403."""
    return only(*[r.key for r in ROLES.values() if key in r.modules], status=status)
