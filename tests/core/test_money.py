"""The one money formatter, unit prices to 4 places, and amounts in Chinese capitals (大写金额)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from hardware_erp.core.money import amount_in_words, format_money, format_price, per_thousand, price


@pytest.mark.parametrize("value, words", [
    ("115491.65", "壹拾壹万伍仟肆佰玖拾壹元陆角伍分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),          # 零 after 元 when jiao is zero and fen is not
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("1010", "壹仟零壹拾元整"),
    ("100001", "壹拾万零壹元整"),                      # a run of zeros is one 零
    ("100010000", "壹亿零壹万元整"),
    ("100000000", "壹亿元整"),
    ("10", "壹拾元整"),                                # 壹拾, not 拾
    ("100.5", "壹佰元伍角整"),
    ("0.05", "伍分"),
    ("0", "零元整"),
    ("0.005", "壹分"),                                 # rounded half up to the cent first
    ("-2121", "负贰仟壹佰贰拾壹元整"),
])
def test_amount_in_words(value, words):
    assert amount_in_words(value) == words


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_capitals_read_back_to_the_amount(value):
    """Parse the capitals back (an independent reader) and get the amount: no digit lost or doubled."""
    digits = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10), strict=True))
    words = amount_in_words(value)
    total, section, number = Decimal(0), 0, 0
    yuan_part, _, cents_part = words.partition("元")
    for ch in yuan_part:
        if ch in digits:
            number = digits[ch]
        elif ch in "拾佰仟":
            section += number * {"拾": 10, "佰": 100, "仟": 1000}[ch]
            number = 0
        elif ch == "万":
            total += (section + number) * 10000 if total < 10 ** 8 or total % 10 ** 8 == 0 else 0
            section = number = 0
        elif ch == "亿":
            total = (total + section + number) * 10 ** 8
            section = number = 0
    total += section + number
    if cents_part.startswith("零"):
        cents_part = cents_part[1:]
    jiao = digits[cents_part[cents_part.index("角") - 1]] if "角" in cents_part else 0
    fen = digits[cents_part[cents_part.index("分") - 1]] if "分" in cents_part else 0
    if "元" not in words:  # only jiao/fen
        total, jiao = 0, digits[words[words.index("角") - 1]] if "角" in words else 0
        fen = digits[words[words.index("分") - 1]] if "分" in words else 0
    assert total + Decimal(jiao) / 10 + Decimal(fen) / 100 == value
    assert words.endswith("分") or words.endswith("整")


@pytest.mark.parametrize("value, text", [
    ("1234.5", "¥1,234.50"), ("-2121", "-¥2,121.00"), ("-0.004", "¥0.00"), ("-0.001", "¥0.00"),
    ("0.005", "¥0.01"), ("2.675", "¥2.68"), ("1234567.891", "¥1,234,567.89"),
])
def test_format_money_rounds_half_up_and_never_shows_minus_zero(value, text):
    assert format_money(value) == text


@pytest.mark.parametrize("value, text", [
    ("0.0392", "¥0.0392"), ("0.035", "¥0.035"), ("12.5", "¥12.50"), ("3", "¥3.00"), ("0.03925", "¥0.0393"),
    ("1234.1200", "¥1,234.12"), ("-0.5", "-¥0.50"),
])
def test_format_price_keeps_four_places_and_trims(value, text):
    assert format_price(value) == text


def test_price_and_per_thousand():
    assert price("0.03925") == Decimal("0.0393")
    assert per_thousand("0.0392") == Decimal("39.20")


def test_template_filters_use_the_one_formatter():
    out = Template("{% load erp %}{{ a|cny }} {{ b|cny }} {{ c|cny_price }} {{ d|cny:'neg' }} {{ e|cny }}").render(
        Context({"a": Decimal("2.675"), "b": Decimal("-0.001"), "c": Decimal("0.0392"), "d": Decimal("2121"),
                 "e": None}))
    assert out == "¥2.68 ¥0.00 ¥0.0392 -¥2,121.00 —"
