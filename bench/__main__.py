"""`python -m bench [name ...]`: create a fresh PostgreSQL database, run the benchmarks, one JSON line each.

Environment: BENCH_PG (server URL, default postgres://postgres@127.0.0.1:5432), BENCH_DB (hwerp_bench),
BENCH_REDIS_URL (redis://127.0.0.1:6379/11), BENCH_SCALE (a factor on every benchmark's scale, default 1).
"""

import importlib
import json
import sys
import time
import traceback

from .common import fresh_database, log

# in the order `make bench` runs them
BENCHMARKS = ["posting", "stocktake", "suggestions", "reports", "stock", "search", "exports", "pages", "querycounts",
              "replica", "floor"]
ON_REQUEST = ["scale"]  # runs reports, search and pages twice (a tenth and full size): only when named
# benchmarks that use the data the one before them loaded (run in the same database)
SHARES_DATA = {"pages": "search"}


def main(argv):
    names = [n for a in argv for n in a.replace(",", " ").split()] or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS + ON_REQUEST]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {', '.join(BENCHMARKS + ON_REQUEST)}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    failed = False
    previous = None
    for name in names:
        if SHARES_DATA.get(name) != previous or previous is None:
            fresh_database()  # each benchmark in its own database, its Redis db flushed of stale tasks
        previous = name
        try:
            mod = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            print(json.dumps({"name": name, "skipped": "not written yet"}), flush=True)
            continue
        missing = mod.missing() if hasattr(mod, "missing") else None
        if missing:
            print(json.dumps({"name": name, "skipped": missing}), flush=True)
            continue
        log(f"{name} ...")
        t1 = time.monotonic()
        try:
            line = mod.run()
        except Exception:  # one broken benchmark does not hide the others' figures
            traceback.print_exc()
            print(json.dumps({"name": name, "error": traceback.format_exc(limit=3).splitlines()[-1]}), flush=True)
            failed = True
            continue
        if line and line.get("valid") is False:
            failed = True
        log(f"{name} done in {time.monotonic() - t1:.0f}s")
    log(f"all done in {time.monotonic() - t0:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
