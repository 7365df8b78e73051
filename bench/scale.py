"""How the figures grow with the data (issue 19, item 6): `reports`, `search` and `pages` run twice, at a tenth of
BENCH_SCALE and at BENCH_SCALE (1: 1,000,000 generated order lines, 100,000 customers), each size in fresh
databases; the line gives every figure at both sizes and its growth ratio per 10x data (full / tenth: 1.0 is
flat, 10 is linear). The loaders are timed too: `bench.data.generate_history` (the order lines, generated inside
PostgreSQL, not copied; target: 1,000,000 lines in under 10 minutes) and the customers `search` loads.

The benchmarks themselves are called, not copied: their own JSON lines go to stderr, this one to stdout."""

import contextlib
import os
import sys
import time

from . import common
from .common import emit, log

LOADER_TARGET_S = 600  # 1,000,000 lines in under 10 minutes
# the pages whose work depends on the data's size (the others: a product page, a scan, the dashboard, answered from
# indexes or small tables); PAGES_PHASES overrides
PHASES = "customer_search,customer_deep_page,customer_sorted,order_list_filtered,product_list_by_on_hand," \
         "order_detail,customer_detail"
REPORT_REPEAT = 3  # rounds of the 8 aggregates (reports alone takes 7)


class Timer:
    """Wraps a function of a module and adds up the seconds spent in it."""

    def __init__(self, module, name):
        self.module, self.name, self.seconds, self.calls = module, name, 0.0, 0
        self.original = getattr(module, name)

    def __enter__(self):
        def timed(*args, **kwargs):
            t0 = time.monotonic()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.monotonic() - t0
                self.calls += 1

        setattr(self.module, self.name, timed)
        return self

    def __exit__(self, *exc):
        setattr(self.module, self.name, self.original)


def one_size(scale: float) -> dict:
    """reports, then search and pages (pages on search's data, as `make bench` runs them) at `scale`."""
    from . import data, pages, reports, search

    os.environ["BENCH_SCALE"] = str(scale)
    os.environ.setdefault("PAGES_PHASES", PHASES)
    reports.SCALE = scale  # read when the module was imported
    reports.REPEAT = REPORT_REPEAT
    out = {"scale": scale}
    common.fresh_database()
    with Timer(data, "generate_history") as gen, contextlib.redirect_stdout(sys.stderr):
        out["reports"] = reports.run()
    out["loader_s"] = round(gen.seconds, 1)
    out["loader_load_average"] = common.load_average()
    common.fresh_database()
    with Timer(data, "ensure_customers") as cust, contextlib.redirect_stdout(sys.stderr):
        out["search"] = search.run()
        out["customers_loader_s"] = round(cust.seconds, 1)
        out["pages"] = pages.run()
    log(f"scale {scale}: loader {out['loader_s']} s, customers {out['customers_loader_s']} s")
    return out


def growth(small, full) -> float | None:
    return round(full / small, 2) if small and full is not None else None


def figures_of(size: dict) -> dict:
    """The figures compared across sizes, flat: name -> value."""
    r, s, p = size["reports"], size["search"], size["pages"]
    out = {"loader_s": size["loader_s"], "order_lines": r["scale"]["order_lines"],
           "reports_page_median_ms": r["project"]["median_ms"], "reports_page_p95_ms": r["project"]["p95_ms"],
           "reports_floor_median_ms": r["reference"]["median_ms"],
           "reports_raw_lines_median_ms": r["before"]["median_ms"],
           "search_p50_ms": s["project"]["median_ms"], "search_p95_ms": s["project"]["p95_ms"],
           "search_floor_p50_ms": s["reference"]["median_ms"], "search_floor_p95_ms": s["reference"]["p95_ms"],
           "customers": s["scale"]["customers"]}
    for name, agg in r["aggregates"].items():
        out[f"reports_{name}_ms"] = agg["project_ms"]
    for name, page in p["project"].items():
        out[f"pages_{name}_p95_ms"] = page["p95_ms"]
        out[f"pages_{name}_vs_bell"] = page["p95_vs_bell"]
        out[f"pages_{name}_bell_p95_ms"] = p["reference"][name]["p95_ms"]
    return out


def run():
    full = common.SCALE
    t0 = time.monotonic()
    small_run = one_size(full / 10)
    full_run = one_size(full)
    small, big = figures_of(small_run), figures_of(full_run)
    factor = big["order_lines"] / small["order_lines"]
    rows = {k: {"tenth": small[k], "full": big[k], "growth": growth(small[k], big.get(k))} for k in small}
    per_10x = {k: v["growth"] for k, v in rows.items()
               if k.endswith(("_ms", "_s")) and not k.endswith("bell_p95_ms")}
    budget = LOADER_TARGET_S * full  # 10 minutes a million lines
    valid = all(x[k].get("valid", True) is not False for x in (small_run, full_run)
                for k in ("reports", "search"))
    log(f"scale: done in {time.monotonic() - t0:.0f}s")
    return emit("scale", {"tenth": full / 10, "full": full, "data_factor": round(factor, 2)},
                {"loader_s": big["loader_s"], "order_lines": big["order_lines"],
                 "loader_load_average": full_run["loader_load_average"]},
                {"loader_s": small["loader_s"], "order_lines": small["order_lines"],
                 "loader_load_average": small_run["loader_load_average"]},
                ratio=big["loader_s"] / budget, target=1.0, growth_per_10x=per_10x, figures=rows, valid=valid,
                note="ratio = the full-size loader's seconds / its budget (600 s a million lines); growth_per_10x: "
                     "each figure at full size / at a tenth (1 = flat, 10 = linear)")
