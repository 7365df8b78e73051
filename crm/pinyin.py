"""Pinyin search keys and the matching helper of the customer search box.

What is stored (`Customer.refresh_search_fields`):
- `name_pinyin` / `name_initials`: the usual reading: 张三五金 -> "zhangsanwujin" and "zswj" (pypinyin, lower
  case, letters and digits only; a run of Latin letters or digits is kept whole).
- `name_readings`: every reading of the polyphonic characters (pypinyin heteronym=True), up to `MAX_READINGS`
  combinations, the usual one first, each as full pinyin, initials and syllables between bars, separated by spaces:
  朝阳五金 -> "zhaoyangwujin zywj |zhao|yang|wu|jin| chaoyangwujin cywj |chao|yang|wu|jin|". The characters whose
  alternatives would pass the bound keep their usual reading only (left to right: the start of a name is what
  people type). A trigram index (PostgreSQL) serves `contains` and the regular expressions below.

How it is matched (`name_q`): the query is split on spaces and every part must match the name, its pinyin or its
initials (`温州 华丰`); a part may mix full pinyin and initials (`wenzhouhf`) or Chinese and pinyin (`温州hf`): it
is matched syllable by syllable against the bars form, after a cheap indexed filter (a run of whole syllables or
the initials, or the Chinese characters typed).
"""

import re
import unicodedata
from functools import lru_cache

from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import Regex
from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict

from .grams import contains_q

_KEEP = re.compile(r"[^0-9a-z]")
_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_READINGS = 8  # combinations of readings stored per name
MAX_LETTERS = 30  # a longer run of letters is matched as typed only (no splitting into syllables)
MAX_PATTERNS = 4  # filter keys tried for one mixed query word, and readings of its Chinese characters
# every reading a character can have, as `_segments` writes it (interjections m, n, ng, hm too): what the full
# pinyin of Chinese characters is made of (`in_syllables`)
ALL_SYLLABLES = frozenset(r for v in pinyin_dict.values() for r in (_KEEP.sub("", to_normal(p).lower())
                                                                    for p in v.split(",")) if r)
# the syllables of Mandarin with a vowel (ng, hm ... are interjections), for splitting "wenzhouhf"
SYLLABLES = frozenset(s for s in ALL_SYLLABLES if len(s) >= 2 and re.search("[aeiouv]", s))
_LONGEST = max(map(len, ALL_SYLLABLES))
_SYLLABLE_PARTS = frozenset(s[i:j] for s in ALL_SYLLABLES for i in range(len(s)) for j in range(i + 1, len(s) + 1))
_SYLLABLE_STARTS = frozenset(s[:j] for s in ALL_SYLLABLES for j in range(1, len(s) + 1))
_SYLLABLE_ENDS = frozenset(s[i:] for s in ALL_SYLLABLES for i in range(len(s)))


def pinyin_full(text: str) -> str:
    return _KEEP.sub("", "".join(lazy_pinyin(text or "", style=Style.NORMAL)).lower())


def pinyin_initials(text: str) -> str:
    parts = lazy_pinyin(text or "", style=Style.FIRST_LETTER)
    return _KEEP.sub("", "".join(parts).lower())


def looks_like_pinyin(q: str) -> bool:
    return bool(q) and bool(re.fullmatch(r"[A-Za-z0-9 ]+", q))


# --- what is stored --------------------------------------------------------------------------------------------

def _mark(run):
    return ["\0" + run]  # pypinyin's `errors`: a run of other characters, marked as such


def _segments(text) -> list[tuple[list[str], bool]]:
    """Per Chinese character its readings (the usual one first), per run of other characters that run (letters and
    digits only): a list of (readings, is_chinese)."""
    text = unicodedata.normalize("NFKC", text or "")
    usual = lazy_pinyin(text, style=Style.NORMAL, errors=_mark)
    every = pinyin(text, style=Style.NORMAL, heteronym=True, errors=_mark)
    if len(every) != len(usual):  # never seen; the usual reading alone then
        every = [[u] for u in usual]
    out = []
    for first, alternatives in zip(usual, every, strict=True):
        chinese = not first.startswith("\0")
        readings = [_KEEP.sub("", r.lower()) for r in [first, *alternatives]]
        readings = [r for i, r in enumerate(readings) if r and r not in readings[:i]]
        if readings:
            out.append((readings, chinese))
    return out


def readings(text, limit=MAX_READINGS) -> list[list[tuple[str, str]]]:
    """The readings of `text`, usual first: each a list of (syllable, initial) per character or run of others."""
    segments = _segments(text)
    combos = [[]]
    for options, _chinese in segments:
        if len(combos) * len(options) > limit:
            options = options[:1]
        combos = [c + [o] for c in combos for o in options]
    return [[(s, s[0] if segments[i][1] else s) for i, s in enumerate(c)] for c in combos]


@lru_cache(maxsize=4096)
def readings_text(text: str) -> str:
    """What `name_readings` stores for a name (see the module's docstring)."""
    tokens = []
    for reading in readings(text):
        for token in ("".join(s for s, _ in reading), "".join(i for _, i in reading),
                      "|" + "|".join(s for s, _ in reading) + "|"):
            if token not in tokens and token.strip("|"):
                tokens.append(token)
    return " ".join(tokens)


@lru_cache(maxsize=4096)
def keys_text(text: str) -> str:
    """What `name_keys` stores for a name: the initials of every reading its `name_readings` holds (朝阳五金 -> "zywj
    cywj"), and for a name with letters or digits of its own (HONGDA五金) the full pinyin of those readings too.

    For a key that no run of syllables holds (`in_syllables` is False: hdwj, flb, 0571) the readings contain it
    exactly when these do: the readings are each reading's full pinyin, its initials and its syllables between bars;
    a key without bars lies in the full pinyin when it lies between bars, and in the full pinyin of a name of Chinese
    characters only when a run of syllables holds it. The customer pickers' walk in name order tests such a key
    here, on an index that holds these (migration 0018), without reading the table; `name_readings` is 200
    characters on average, these 20."""
    segments = _segments(text)
    other = any(not chinese for _options, chinese in segments)
    tokens = []
    for reading in readings(text):
        forms = ["".join(i for _, i in reading)]
        if other:
            forms.append("".join(s for s, _ in reading))
        for token in forms:
            if token and token not in tokens:
                tokens.append(token)
    return " ".join(tokens)


@lru_cache(maxsize=4096)
def in_syllables(key: str) -> bool:
    """Whether `key` (lower-case letters and digits) can lie in the full pinyin of some Chinese characters: inside
    one syllable, or the end of one, whole syllables, the start of one ("ngwu": …ng wu…, "hongda", "anj": …an ji…);
    not "hdwj", "flb" or anything with a digit (every reading any character has counts, `ALL_SYLLABLES`)."""
    if key in _SYLLABLE_PARTS:
        return True
    n = len(key)
    # at[i]: key[:i] is the end of a syllable (or nothing) followed by whole syllables
    at = [i == 0 or key[:i] in _SYLLABLE_ENDS for i in range(n + 1)]
    for i in range(n + 1):
        if at[i]:
            if i == n or key[i:] in _SYLLABLE_STARTS:
                return True
            for j in range(i + 1, min(n, i + _LONGEST) + 1):
                if key[i:j] in ALL_SYLLABLES:
                    at[j] = True
    return False


# --- how it is matched -----------------------------------------------------------------------------------------

def _letter_splits(s: str, *, limit=200):
    """Ways of reading a run of letters as syllables and initials ("wenzhouhf": wen zhou h f), fewest pieces first,
    each a list of ("full", "wen") / ("initial", "h"). Bounded: a long query costs a few thousand steps."""
    found, steps = [], [0]

    def walk(i, pieces):
        steps[0] += 1
        if steps[0] > 4000 or len(found) >= limit:
            return
        if i == len(s):
            found.append(pieces)
            return
        for j in range(min(len(s), i + 6), i + 1, -1):
            if s[i:j] in SYLLABLES:
                walk(j, [*pieces, ("full", s[i:j])])
        if s[i:i + 2] in ("zh", "ch", "sh"):
            walk(i + 2, [*pieces, ("initial", s[i:i + 2])])
        walk(i + 1, [*pieces, ("initial", s[i])])

    walk(0, [])
    found.sort(key=len)
    return found


def _filter_keys(letters: str) -> list[str]:
    """What the name's readings must contain for `letters` to be a mix of syllables and initials, for the likeliest
    readings (at most MAX_PATTERNS): the longest run of whole syllables (wenzhouhf: "wenzhou"), else the initials
    ("wzhf"). The indexed filter in front of the regular expression."""
    splits = _letter_splits(letters)
    if any(all(k == "full" for k, _ in pieces) for pieces in splits):
        return []  # syllables only (chaoyang): the full pinyin contains it, or it is not there
    keys = []
    for pieces in splits:
        if {k for k, _ in pieces} != {"full", "initial"}:
            continue
        runs = "".join(text if kind == "full" else " " for kind, text in pieces).split()
        key = max(runs, key=len)
        if len(key) < 3:
            key = "".join(text[0] for _k, text in pieces)
        if len(key) >= 3 and key not in keys:  # a trigram index cannot narrow a shorter one
            keys.append(key)
        if len(keys) >= MAX_PATTERNS:
            break
    return keys


def _regex(items) -> str:
    """A regular expression over the bars form (|wen|zhou|hua|feng|): ("syllable", "wen") is that syllable,
    ("letters", "hf") any run of syllables of which the letters are the starts (h… f…, hua f…, huaf…)."""
    out = r"\|"
    for kind, text in items:
        body = re.escape(text) if kind == "syllable" else r"(?:[a-z0-9]*\|)?".join(text) + "[a-z0-9]*"
        out += body + r"\|"
    return out


def _syllables_match(pattern) -> Q:
    """The bars form matches `pattern`: a filter on the rows the indexed conditions found. (Lower() keeps the
    planner from scanning the whole trigram index for it: pg_trgm extracts next to nothing from these patterns.)"""
    return Q(Regex(Lower("name_readings"), pattern))


def _mixed_runs(key: str) -> list[str] | None:
    """The runs of Chinese characters and of letters of a query word mixing both (温州hf: 温州, hf), else None."""
    runs = re.findall(rf"{_HANZI.pattern}+|[a-z]+", key)
    if ("".join(runs) != key or all(r.isascii() for r in runs) or not any(r.isascii() for r in runs)
            or len(key) > MAX_LETTERS):
        return None
    return runs


@lru_cache(maxsize=2048)
def plain_name(q: str) -> str | None:
    """The text to look for in names when `name_q(q)` is nothing but "the name contains it" (one word of Chinese or
    other characters that are neither pinyin nor a mix of Chinese and pinyin: 宏达五金, 五金), else None."""
    q = " ".join(unicodedata.normalize("NFKC", q or "").split())
    key = q.lower()
    if not q or " " in q or re.fullmatch(r"[a-z0-9]+", key) or _mixed_runs(key):
        return None
    return q


@lru_cache(maxsize=2048)
def plain_pinyin(q: str) -> tuple[str, str] | None:
    """(the word, its pinyin key) when `name_q(q)` is nothing but "the name contains the word, or its readings
    contain the key" (one word of letters and digits that is not a mix of syllables and initials: hdwj, hongda,
    0571), else None."""
    q = " ".join(unicodedata.normalize("NFKC", q or "").split())
    key = q.lower()
    if not re.fullmatch(r"[a-z0-9]+", key) or (key.isalpha() and 3 <= len(key) <= MAX_LETTERS and _filter_keys(key)):
        return None
    return q, key


def _part_q(part: str) -> Q:
    """One word of the query: the name contains it, or its pinyin / initials do, or a mixed form matches."""
    key = unicodedata.normalize("NFKC", part).lower()
    if key.isascii() and key.isdigit():  # digits (a phone number's groups): a name holding them holds them in its
        return Q(name_readings__contains=key)  # readings too, where runs of digits are kept (`_segments`)
    cond = contains_q("name", part)
    if re.fullmatch(r"[a-z0-9]+", key):
        cond |= Q(name_readings__contains=key)  # holds the usual reading's pinyin and initials too
        keys = _filter_keys(key) if key.isalpha() and 3 <= len(key) <= MAX_LETTERS else []
        if keys:  # a mix of syllables and initials (wenzhouhf)
            found = Q()
            for k in keys:
                found |= Q(name_readings__contains=k)
            cond |= found & _syllables_match(_regex([("letters", key)]))
        return cond
    runs = _mixed_runs(key)
    if not runs:
        return cond  # Chinese only, or other characters: the name itself
    # Chinese and pinyin mixed (温州hf): the Chinese characters are in the name, the syllables follow in order
    variants = [[]]
    for run in runs:
        options = [[("letters", run)]] if run.isascii() else \
            [[("syllable", syl) for syl, _i in reading] for reading in readings(run, limit=4)]
        variants = [v + o for v in variants for o in options][:MAX_PATTERNS]
    hanzi = Q()
    for run in runs:
        if not run.isascii():
            hanzi &= contains_q("name", run)
    mixed = Q()
    for items in variants:
        mixed |= _syllables_match(_regex(items))
    return cond | (hanzi & mixed)


def name_q(q: str) -> Q:
    """The customers whose name matches `q`: the whole query, or each of its words (all of them) as the name, its
    pinyin, its initials or a mix."""
    q = " ".join(unicodedata.normalize("NFKC", q or "").split())
    if not q:
        return Q()
    cond = _part_q(q)
    words = q.split(" ")
    if len(words) > 1:
        every = Q()
        for word in words:
            every &= _part_q(word)
        cond |= every
        if looks_like_pinyin(q):
            cond |= _part_q(q.replace(" ", ""))
    return cond
