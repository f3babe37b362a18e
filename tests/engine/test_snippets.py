"""Snippets (indexer/engine/snippets.py): exact HTML for small hand-made sections."""

from __future__ import annotations

import pytest

from indexer.engine.snippets import _SPACES, make_snippet


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
    ("第一段\n第二段", ["2023年"], 40, "第一段 第二段"),
    ("全年⽅面工作", ["行政复议"], 40, "全年⽅面工作"),  # a Kangxi radical, normalised to 方
    # the character map would find iso9001, but normalize() keeps the space between Latin words: no match
    ("通过ＩＳＯ 9001认证", ["iso9001"], 40, "通过ＩＳＯ 9001认证"),
])
def test_a_match_only_in_the_heading_shows_the_opening_of_the_section(raw, terms, context, want):
    assert make_snippet(raw, terms, context=context) == want


def test_the_bytes_pattern_knows_every_whitespace_character_of_str_patterns():
    import re

    from indexer.engine.snippets import _SPACES

    assert _SPACES == [chr(c) for c in range(0x110000) if re.match(r"\s", chr(c))]


@pytest.mark.parametrize("raw, terms, context", [
    ("一二三四五六七八九十政务公开甲乙丙丁戊己庚辛壬癸子丑", ["政务公开"], 5),
    ("政务公开甲乙丙丁戊己庚辛壬", ["政务公开"], 5),
    ("前文<script>alert(1)</script>政务\u3000新媒体＆后文", ["政务新媒体"], 40),
    ("第一段\n政务\n新媒体工作\t情况𠀀" * 30, ["政务新媒体", "工作"], 3),
    ("é" * 50 + "12345" + "ß" * 50, ["12345"], 7),
    ("依申请公开和政务公开", ["政务公开", "依申请公开"], 0),
    ("APP和app及App", ["app"], 40),  # a cased letter: the str pattern only
    ("本年度收到申请（一）共１２件。", ["12件"], 40),  # a full-width form: the character map
    ("甲政" + " " * 30 + "务乙丙", ["政务"], 1),  # whitespace inside the match runs past the window's bytes
    ("甲乙政\n\n务" + "丙" * 9, ["政务"], 0),  # the match longer than the window
])
def test_snippets_of_utf8_bytes_are_those_of_the_text(raw, terms, context):
    from indexer.engine.snippets import snippet_of_bytes

    assert snippet_of_bytes(raw.encode("utf-8"), terms, context=context) == make_snippet(raw, terms, context=context)


_PAGE_CASES = [
    ("一二三四五六七八九十政务公开甲乙丙丁戊己庚辛壬癸子丑", ["政务公开"], 5),
    ("前文<script>alert(1)</script>政务\u3000新媒体＆后文 'q' \"x\"", ["政务新媒体"], 40),
    ("第一段\n政务\n新媒体工作\t情况𠀀" * 30, ["政务新媒体", "工作"], 3),
    ("é" * 50 + "12345" + "ß" * 50, ["12345"], 7),
    ("依申请公开和政务公开", ["政务公开", "依申请公开"], 0),
    ("APP和app及App", ["app"], 40),  # a cased letter: the regular expressions
    ("本年度收到申请（一）共１２件。", ["12件"], 40),  # a full-width form: the character map
    ("甲政" + " " * 30 + "务乙丙", ["政务"], 1),  # the match runs past the window
    ("公开公开 公 开\u2028公\xa0开\x85公\u205f开", ["公开"], 2),  # whitespace of every width inside matches
    ("", ["公开"], 40),
    # every whitespace character: inside matches, and in a flattened piece
    ("甲\t" + "".join(_SPACES) + "乙" + "".join("公" + w + "开" for w in _SPACES), ["公开"], 400),
]


@pytest.mark.parametrize("raw, terms, context", _PAGE_CASES)
def test_a_pages_snippets_made_at_once_are_those_made_one_by_one(raw, terms, context):
    from indexer.engine.snippets import snippets

    assert snippets([raw.encode("utf-8")], terms, context) == [make_snippet(raw, terms, context=context)]


def test_a_pages_snippets_made_at_once_equal_make_snippet_on_random_texts():
    """The compiled pass (snippets.snippets) against make_snippet, the reference, on 3,000 pages of random texts of
    CJK characters, whitespace of every kind, HTML specials and 4-byte characters, for one and several terms."""
    import random

    from indexer.engine.snippets import snippets

    rng = random.Random(2)
    alphabet = list("政务公开新媒体甲乙丙12é𠀀 \n\t\r\u3000\u2028\xa0\x85\u1680\u205f\u200a\x1c<>&\"'")
    queries = [["政务公开"], ["新媒体", "政务"], ["12"], ["公开"], ["政务新媒体"], ["<&"], ["开"], ["公", "公开"],
               ["开新", "务公开新"]]
    for _ in range(3000):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) for _ in range(rng.randint(1, 4))]
        terms, context = rng.choice(queries), rng.choice([0, 1, 3, 5, 40])
        assert snippets([t.encode("utf-8") for t in texts], terms, context) == [
            make_snippet(t, terms, context=context) for t in texts], (texts, terms, context)
