"""Invariant checks across the apps: `manage.py check_integrity` and a nightly task.

Each app may provide `<app>/integrity.py` with `def checks() -> list[tuple[str, list[str]]]`:
(name of the invariant, the problems found — empty when it holds). Problems are plain sentences
naming the records ("product M8X30-GB: level 120.000 at A-01-02, ledger says 118.000").
Every run is stored; the IT status page shows the last one.
"""

import importlib
import logging
import time

from django.utils import timezone

from .models import IntegrityRun
from .roles import MODULE_KEYS

log = logging.getLogger(__name__)
MAX_PROBLEMS_KEPT = 200


def run_checks(*, save: bool = True) -> IntegrityRun:
    started = timezone.now()
    t0 = time.monotonic()
    results = []
    for key in MODULE_KEYS:
        try:
            mod = importlib.import_module(f"{key}.integrity")
        except ModuleNotFoundError as exc:
            if exc.name != f"{key}.integrity":
                raise
            continue
        for name, problems in mod.checks():
            results.append({"app": key, "check": name, "ok": not problems, "count": len(problems),
                            "problems": list(problems)[:MAX_PROBLEMS_KEPT]})
    run = IntegrityRun(started_at=started, seconds=round(time.monotonic() - t0, 3),
                       ok=all(r["ok"] for r in results), results=results)
    if save:
        run.save()
    if not run.ok:
        log.error("integrity check found problems: %s",
                  "; ".join(f"{r['app']}.{r['check']}: {r['count']}" for r in results if not r["ok"]))
    return run
