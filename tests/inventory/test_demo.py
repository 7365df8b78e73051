from decimal import Decimal

import pytest
from django.core.management import call_command

from inventory.models import Product, PurchaseSuggestion, StockLevel, StockMovement, Stocktake
from inventory.selectors import ledger_differences

pytestmark = pytest.mark.django_db


def test_demo_seed_is_consistent_and_idempotent():
    call_command("seed_demo", "--only", "inventory", verbosity=0)
    n = Product.objects.count()
    assert 250 <= n <= 600
    assert Product.objects.filter(name_en__startswith="Hex head bolt M16").exists()
    assert StockMovement.objects.filter(kind="issue").count() > 10 * n
    assert ledger_differences() == []
    assert StockLevel.objects.filter(on_hand__lt=0).count() == 0
    assert PurchaseSuggestion.objects.exists()
    assert Stocktake.objects.filter(status="counting").count() == 1
    call_command("seed_demo", "--only", "inventory", verbosity=0)
    assert Product.objects.count() == n


# length range (mm) per thread of the standards the demo catalogue uses (GB/T 5782-2016 = ISO 4014,
# GB/T 5783-2016 = ISO 4017, DIN 933, GB/T 70.1-2008 = ISO 4762, GB/T 845-2017 = ISO 7049)
STANDARD_LENGTHS = {
    "GB/T 5782": {"M6": (30, 60), "M8": (40, 80), "M10": (45, 100), "M12": (50, 120), "M14": (60, 140),
                  "M16": (65, 160)},
    "GB/T 5783": {"M6": (12, 60), "M8": (16, 80), "M10": (20, 100), "M12": (25, 120), "M14": (30, 140),
                  "M16": (30, 150)},
    "DIN 933": {"M6": (8, 100), "M8": (10, 100), "M10": (12, 150), "M12": (16, 150), "M14": (25, 200),
                "M16": (25, 200)},
    "GB/T 70.1": {"M4": (6, 40), "M5": (8, 50), "M6": (10, 60), "M8": (12, 80), "M10": (16, 100)},
    "GB/T 845": {"ST3.5": (9.5, 25), "ST4.2": (9.5, 32), "ST4.8": (9.5, 38)},
}
# the preferred lengths these standards pick from
PREFERRED = {6, 8, 9.5, 10, 12, 13, 16, 19, 20, 22, 25, 30, 32, 35, 38, 40, 45, 50, 55, 60, 65, 70, 80, 90, 100,
             110, 120, 130, 140, 150, 160}


def catalogue():
    from inventory.demo import _catalogue

    return list(_catalogue())


def test_every_standard_and_size_in_the_catalogue_exists():
    rows = [r for r in catalogue() if r["length"] and r["standard"]]
    assert {r["standard"] for r in rows} == set(STANDARD_LENGTHS)
    wrong = [(r["standard"], r["thread"], r["length"]) for r in rows
             if r["thread"] not in STANDARD_LENGTHS[r["standard"]]
             or not STANDARD_LENGTHS[r["standard"]][r["thread"]][0] <= r["length"]
             <= STANDARD_LENGTHS[r["standard"]][r["thread"]][1] or r["length"] not in PREFERRED]
    assert wrong == []
    skus = [r["sku"] for r in catalogue()]
    assert len(skus) == len(set(skus))
    names = [r["name_zh"] for r in catalogue()]
    assert len(names) == len(set(names))  # two products never share a name


def _price(r):
    """the list price the demo gives the product"""
    from inventory.demo import _markup

    return (r["cost"] * _markup(r["cat"])).quantize(Decimal("0.01"))


def test_bolts_cost_more_by_property_class_material_and_coating():
    from collections import defaultdict

    rows = catalogue()
    by_size = defaultdict(list)
    for r in rows:
        if r["cat"] == "bolts":
            by_size[(r["thread"], r["length"])].append(r)
    rank = ["4.8", "8.8", "10.9"]
    checked = 0
    for (thread, length), bolts in by_size.items():
        hex_bolts = [r for r in bolts if r["standard"] == "GB/T 5782"]
        grades = {g: [_price(r) for r in hex_bolts if r["grade"] == g] for g in rank}
        if all(grades.values()):
            assert max(grades["4.8"]) < min(grades["8.8"]) and max(grades["8.8"]) < min(grades["10.9"]), \
                (thread, length, grades)
            coated = {r["finish"]: _price(r) for r in hex_bolts if r["grade"] == "8.8"}
            assert coated["发黑"] < coated["镀锌"], (thread, length)
            checked += 1
        by_material = {r["material"]: _price(r) for r in bolts if r["standard"] in ("GB/T 5783", "DIN 933")}
        if {"碳钢", "不锈钢304"} <= set(by_material):
            # stainless steel bolts cost two to five times carbon steel ones, 316 about half as much again as 304
            carbon, a2, a4 = by_material["碳钢"], by_material["不锈钢304"], by_material.get("不锈钢316")
            assert 2 * carbon <= a2 <= 5 * carbon, (thread, length)
            assert a4 is None or Decimal("1.3") * a2 <= a4 <= 2 * a2, (thread, length)
    assert checked >= 20
    # and a longer or thicker bolt of the same kind never costs less
    for r in rows:
        for other in rows:
            if (r["standard"], r["grade"], r["finish"], r["thread"]) == (
                    other["standard"], other["grade"], other["finish"], other["thread"]) and r["cat"] == "bolts":
                assert (r["length"] < other["length"]) <= (r["cost"] <= other["cost"])
