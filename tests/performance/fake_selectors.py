"""KPI evidence selectors defined in the tests, for the engine's tests independent of the apps.

Tests put rows into ROWS[username] (read by kpi_share) and ROWS[f"{username}:avg"] (read by
kpi_average): each row is a selector dict plus "at" (the aware datetime that decides the period)."""

ROWS: dict[str, list[dict]] = {}


def _rows(key, start, end):
    return [{k: v for k, v in r.items() if k != "at"} for r in ROWS.get(key, [])
            if start <= r["at"] < end]


def kpi_share(user, start, end):
    return _rows(user.username, start, end)


def kpi_average(user, start, end):
    return _rows(f"{user.username}:avg", start, end)


def row(at, ok=True, value=None, n=1, model="test.record", label="record"):
    return {"at": at, "model": model, "id": n, "label": f"{label} {n}", "url": f"/test/{n}/", "ok": ok,
            "value": value, "detail": f"detail {n}"}
