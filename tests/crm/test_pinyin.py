"""Pinyin search: every reading of polyphonic characters, queries in words, mixed pinyin, initials and Chinese."""

import io

import pytest
from django.core.management import call_command

from crm import selectors
from crm.models import Customer
from crm.pinyin import MAX_READINGS, readings_text
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db

NAMES = ["朝阳五金", "单县华丰建材", "曾氏五金", "温州华丰五金有限公司", "温州东方紧固件", "杭州华丰机电", "张三五金"]


@pytest.fixture
def rep(make_user):
    user = make_user("sales_rep")
    for name in NAMES:
        CustomerFactory(owner=user, name=name)
    return user


def found(user, q):
    return sorted(c.name for c in selectors.customer_search(user, q))


def test_every_reading_of_a_polyphonic_name_is_stored():
    for name, readings in (("朝阳五金", ("chaoyang", "zhaoyang")), ("单县", ("shanxian", "danxian")),
                           ("曾氏五金", ("zengshi", "cengshi"))):
        stored = readings_text(name).split()
        for full in readings:
            assert any(token.startswith(full) for token in stored), (name, full)
    assert {"cywj", "zywj"} <= set(readings_text("朝阳五金").split())
    assert {"sx", "dx"} <= set(readings_text("单县").split())


def test_the_number_of_readings_is_bounded():
    name = "朝阳单县曾氏长乐行重庆朝天门"  # many polyphonic characters: 2×3×2×3×... combinations
    bars = [t for t in readings_text(name).split() if t.startswith("|")]
    assert 2 <= len(bars) <= MAX_READINGS
    assert bars[0] == "|" + "|".join(["zhao", "yang", "dan", "xian", "ceng", "shi", "chang", "le", "xing", "chong",
                                      "qing", "chao", "tian", "men"]) + "|" or bars[0].startswith("|zhao|yang|")


@pytest.mark.parametrize(("q", "names"), [
    ("chaoyang", ["朝阳五金"]), ("zhaoyang", ["朝阳五金"]), ("cywj", ["朝阳五金"]), ("zywj", ["朝阳五金"]),
    ("shanxian", ["单县华丰建材"]), ("danxian", ["单县华丰建材"]), ("sxhf", ["单县华丰建材"]),
    ("zengshi", ["曾氏五金"]), ("cengshi", ["曾氏五金"]), ("zswj", ["张三五金", "曾氏五金"]),
    ("温州 华丰", ["温州华丰五金有限公司"]),
    ("华丰 温州", ["温州华丰五金有限公司"]),
    ("wenzhou huafeng", ["温州华丰五金有限公司"]),
    ("温州 hf", ["温州华丰五金有限公司"]),
    ("wenzhouhf", ["温州华丰五金有限公司"]),
    ("温州hf", ["温州华丰五金有限公司"]),
    ("温州huaf", ["温州华丰五金有限公司"]),
    ("wzhuafeng", ["温州华丰五金有限公司"]),
    ("wenzhoudf", ["温州东方紧固件"]),
    ("华丰", ["单县华丰建材", "杭州华丰机电", "温州华丰五金有限公司"]),
    ("温州 zz", []),
    ("wenzhouhz", []),
])
def test_search_finds_every_reading_every_word_and_mixed_forms(rep, q, names):
    assert found(rep, q) == names


def test_rebuild_search_keys_indexes_existing_rows(rep):
    """Rows saved before the readings were stored: the command (and the migration) fill them in."""
    Customer.objects.update(name_readings="", name_initials="", name_pinyin="")
    assert found(rep, "chaoyang") == [] and found(rep, "wenzhouhf") == []
    call_command("rebuild_search_keys")
    assert found(rep, "chaoyang") == ["朝阳五金"] and found(rep, "wenzhouhf") == ["温州华丰五金有限公司"]
    assert Customer.objects.get(name="张三五金").name_initials == "zswj"


def test_long_and_hostile_queries_are_answered(rep):
    for q in ("a" * 1000, "温" * 300 + "h" * 300, "wenzhou" * 50 + "hf", "(?:|*)+" * 20, "温州" + "hf" * 40):
        assert found(rep, q) == [], q[:20]


def test_in_syllables_holds_every_piece_of_every_full_pinyin():
    """Issue 19: `in_syllables` says whether a key can lie in the full pinyin of Chinese characters; the pickers'
    walk tests a key it says no to on `name_keys` alone, so it must never say no to a piece of a full pinyin: every
    piece of the full readings of the demo's name parts, of every reading of 2,000 characters, and of runs of them."""
    import random

    from pypinyin.pinyin_dict import pinyin_dict

    from crm import demo
    from crm.pinyin import in_syllables, readings

    rng = random.Random(7)
    chars = [chr(c) for c in rng.sample(sorted(pinyin_dict), 2000)]
    texts = [*demo.SURNAMES, *demo.GIVEN, *demo.SHOP_SUFFIX, *chars,
             *("".join(rng.sample(chars, 4)) for _ in range(300))]
    checked = 0
    for text in texts:
        for reading in readings(text):
            full = "".join(s for s, _ in reading)
            for i in range(len(full)):
                for j in range(i + 1, min(len(full), i + 8) + 1):
                    assert in_syllables(full[i:j]), (text, full, full[i:j])
                    checked += 1
    assert checked > 50_000
    for key in ["hdwj", "flb", "jhj", "zht", "yxgs", "0571", "3m"]:
        assert not in_syllables(key), key
    for key in ["hongda", "anj", "ngwu", "wuj", "a", "zhuang", "hm"]:
        assert in_syllables(key), key


@pytest.mark.parametrize("name", ["朝阳五金", "宏达五金有限公司", "HONGDA五金", "3M五金商行", "Hongda Hardware Ltd",
                                  "重庆长江建材", "张三", "乐行", "五金", "ABC", "嗯呣五金"])
def test_name_keys_hold_a_key_exactly_when_the_readings_do(name):
    """`keys_text` (what `name_keys` stores) contains a key that no run of syllables holds exactly when the readings
    (`name_readings`) do: every piece of every token of the readings, and initials keys made from its pieces."""
    from crm.pinyin import in_syllables, keys_text, readings_text

    stored, keys = readings_text(name), keys_text(name)
    assert len(keys) < len(stored) or name.isascii()
    tokens = stored.replace("|", " ").split() + stored.split()
    pieces = {t[i:j] for t in tokens for i in range(len(t)) for j in range(i + 1, len(t) + 1)}
    pieces |= {"hdwj", "zywj", "cywj", "zht", "3mwj", "mwj", "cqcj", "zqcj", "lx", "yx", "hx"}
    tested = 0
    for key in sorted(pieces):
        if "|" in key or " " in key or in_syllables(key):
            continue
        tested += 1
        assert (key in stored) == (key in keys), (name, key, stored, keys)
    assert tested


def test_name_keys_are_stored_and_rebuilt(rep):
    """Saving a customer stores `name_keys`; `rebuild_search_keys` restores them."""
    c = CustomerFactory(owner=rep, name="朝阳五金")
    c.refresh_from_db()
    assert c.name_keys == "zywj cywj"
    Customer.objects.update(name_keys="")
    call_command("rebuild_search_keys", stdout=io.StringIO())
    c.refresh_from_db()
    assert c.name_keys == "zywj cywj"
