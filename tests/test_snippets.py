"""Snippets (indexer/snippets.py): exact HTML for small hand-made sections, and the character tables the fast paths
rely on checked against normalize() for every character they cover."""

from __future__ import annotations

import re
import unicodedata

import pytest

from indexer.normalize import normalize
from indexer.snippets import _BOUNDARY, _PLAIN_RANGES, _SAFE_RANGES, make_snippet


def test_everything_but_the_mark_is_escaped():
    snip = make_snippet("前文<script>alert(1)</script>政务 新媒体＆后文", ["政务新媒体"])
    assert snip == "前文&lt;script&gt;alert(1)&lt;/script&gt;<mark>政务 新媒体</mark>＆后文"


def test_a_match_split_by_line_breaks_is_marked_and_flattened():
    # each piece is flattened on its own, so the line break before the match is dropped, not turned into a space
    assert make_snippet("第一段\n政务\n新媒体工作\t情况", ["政务新媒体"]) == "第一段<mark>政务 新媒体</mark>工作 情况"


def test_every_match_in_the_window_is_marked_in_any_letter_case():
    assert make_snippet("APP和app及App", ["app"]) == "<mark>APP</mark>和<mark>app</mark>及<mark>App</mark>"
    assert make_snippet("依申请公开和政务公开", ["政务公开", "依申请公开"]) == (
        "<mark>依申请公开</mark>和<mark>政务公开</mark>")
    assert make_snippet("ISO 9001认证", ["iso 9001"]) == "<mark>ISO 9001</mark>认证"


@pytest.mark.parametrize("raw, term, want", [
    ("本年度收到申请（一）共１２件。", "(一)", "本年度收到申请<mark>（一）</mark>共１２件。"),
    ("本年度收到申请（一）共１２件。", "12件", "本年度收到申请（一）共<mark>１２件</mark>。"),
    ("全年⽅面工作", "方面", "全年<mark>⽅面</mark>工作"),  # a Kangxi radical, as PDF extraction leaves them
    ("推进政\u200b务公开", "政务公开", "推进<mark>政\u200b务公开</mark>"),  # zero-width space inside
])
def test_full_width_and_compatibility_forms_are_found_through_normalisation(raw, term, want):
    assert make_snippet(raw, [term]) == want


def test_the_window_has_ellipses_where_it_cuts_the_section():
    raw = "一二三四五六七八九十政务公开甲乙丙丁戊己庚辛壬癸子丑"
    assert make_snippet(raw, ["政务公开"], context=5) == "…六七八九十<mark>政务公开</mark>甲乙丙丁戊己庚辛壬癸…"
    assert make_snippet("政务公开甲乙丙丁戊己庚辛壬", ["政务公开"], context=5) == "<mark>政务公开</mark>甲乙丙丁戊己庚辛壬"


@pytest.mark.parametrize("raw, terms, context, want", [
    ("本机关全年主动公开信息<b>120</b>条", ["行政复议"], 40, "本机关全年主动公开信息&lt;b&gt;120&lt;/b&gt;条"),
    ("一二三四五六七八九十甲乙", ["行政复议"], 5, "一二三四五六七八九十…"),
    ("第一段\n第二段", ["行政复议"], 40, "第一段 第二段"),
    ("第一段\n第二段", ["2023年"], 40, "第一段 第二段"),  # not ideographs only: through the character map
    ("全年⽅面工作", ["行政复议"], 40, "全年⽅面工作"),  # a Kangxi radical: through the character map
    # the character map finds iso9001, but normalize() keeps the space between Latin letters: no match
    ("通过ＩＳＯ 9001认证", ["iso9001"], 40, "通过ＩＳＯ 9001认证"),
])
def test_a_match_only_in_the_heading_shows_the_opening_of_the_section(raw, terms, context, want):
    assert make_snippet(raw, terms, context=context) == want


def _chars(ranges):
    return (chr(c) for a, b in ranges for c in range(a, b + 1) if not 0xD800 <= c <= 0xDFFF)


_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")


def test_safe_characters_never_become_ideographs_nor_vanish():
    """What the heading-only shortcut assumes of _SAFE_RANGES (see snippets.py)."""
    bad = []
    for ch in _chars(_SAFE_RANGES):
        n = normalize("一" + ch + "丁")
        if _IDEOGRAPH.fullmatch(ch):
            ok = n == "一" + ch + "丁"
        else:
            mid = n[1:-1]
            ok = (n[0] == "一" and n[-1] == "丁" and not _IDEOGRAPH.search(mid)
                  and (mid != "" or re.fullmatch(r"\s", ch) is not None))
        if not ok:
            bad.append(f"U+{ord(ch):04X}")
    assert not bad


def test_plain_characters_are_kept_as_they_are_by_the_character_map():
    bad = [f"U+{ord(c):04X}" for c in _chars(_PLAIN_RANGES)
           if c.isspace() or unicodedata.normalize("NFKC", c).casefold() != c]
    assert not bad


def test_regex_whitespace_is_str_isspace():
    """_char_map skips whitespace runs with \\s where it used to test str.isspace()."""
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert re.findall(r"\s", everything) == [c for c in everything if c.isspace()]


def test_normalisation_does_not_join_across_boundary_characters():
    """What _normalized_has_term assumes of _BOUNDARY: kept as they are, not whitespace, no combining class, never
    the second character of a canonical composition."""
    seconds = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul vowels and trailing consonants
    for c in range(0x110000):
        d = unicodedata.decomposition(chr(c)).split()
        if len(d) == 2 and not d[0].startswith("<") and unicodedata.normalize("NFC", chr(c)) == chr(c):
            seconds.add(int(d[1], 16))
    boundary = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and _BOUNDARY.match(chr(c))]
    assert len(boundary) == 94 + 0x9FFF - 0x4E00 + 1
    bad = [f"U+{ord(ch):04X}" for ch in boundary
           if normalize(ch) != ch.casefold() or unicodedata.normalize("NFKC", ch) != ch or ch.isspace()
           or unicodedata.combining(ch) or ord(ch) in seconds]
    assert not bad
