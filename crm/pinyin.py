"""Pinyin search keys: 张三五金 -> "zhangsanwujin" and "zswj" (pypinyin, lower case, letters and digits only)."""

import re

from pypinyin import Style, lazy_pinyin

_KEEP = re.compile(r"[^0-9a-z]")


def pinyin_full(text: str) -> str:
    return _KEEP.sub("", "".join(lazy_pinyin(text or "", style=Style.NORMAL)).lower())


def pinyin_initials(text: str) -> str:
    parts = lazy_pinyin(text or "", style=Style.FIRST_LETTER)
    return _KEEP.sub("", "".join(parts).lower())


def looks_like_pinyin(q: str) -> bool:
    return bool(q) and bool(re.fullmatch(r"[A-Za-z0-9 ]+", q))
