from decimal import Decimal

import pytest

from performance import scoring
from performance.choices import AggregationChoices, DirectionChoices

D = Decimal


def test_share_counts_ok_rows_and_no_rows_is_no_data():
    assert scoring.aggregate(AggregationChoices.SHARE, [{"ok": True}, {"ok": False}, {"ok": True}]) == (
        D("66.67"), 3, 2)
    assert scoring.aggregate(AggregationChoices.SHARE, []) == (None, 0, 0)


def test_average_of_values_ignores_rows_without_value():
    rows = [{"ok": True, "value": 4}, {"ok": False, "value": 2.5}, {"ok": True, "value": None}]
    assert scoring.aggregate(AggregationChoices.AVERAGE, rows) == (D("3.25"), 3, 2)
    assert scoring.aggregate(AggregationChoices.AVERAGE, [{"ok": True, "value": None}])[0] is None


def test_achievement_both_directions():
    assert scoring.achievement(D("45"), D("90"), DirectionChoices.HIGHER) == D("50.00")
    assert scoring.achievement(D("8"), D("4"), DirectionChoices.LOWER) == D("50.00")
    assert scoring.achievement(D("0"), D("4"), DirectionChoices.LOWER) == D("100")
    assert scoring.achievement(None, D("4"), DirectionChoices.LOWER) is None


def test_band_score_takes_the_best_band_reached():
    bands = [[100, 100], [90, 85], [0, 20]]
    assert scoring.band_score(D("120"), bands) == D("100.00")
    assert scoring.band_score(D("95"), bands) == D("85.00")
    assert scoring.band_score(D("10"), bands) == D("20.00")
    assert scoring.band_score(None, bands) is None


def test_weighted_total_reweights_over_kpis_with_data():
    total, coverage = scoring.weighted_total([(D("100"), D("30")), (D("50"), D("30")), (None, D("40"))])
    assert (total, coverage) == (D("75.00"), D("60.00"))
    assert scoring.weighted_total([(None, D("100"))]) == (None, D("0.00"))


def test_parse_bands():
    assert scoring.parse_bands("90:85, 100:100，0:20") == [[100, 100], [90, 85], [0, 20]]
    assert scoring.parse_bands("100:100") == [[100, 100], [0, 0]]
    for bad in ("", "abc", "100-100", "100:200", "-5:10"):
        with pytest.raises(ValueError):
            scoring.parse_bands(bad)
