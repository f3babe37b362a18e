"""二、主动公开政府信息情况: the 第二十条 blocks → active.* fields.

No sum rule ties these cells together, so a glued run that can be cut more than one way stays unread (with a
warning); signs (增/减/+/-) and units (元 → 万元) are kept; a note such as （含县区） becomes a field.note warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.model import Warning
from indexer.parse.tables.catalogue import ACTIVE_2019, ACTIVE_2021, ActiveBlock, _loose
from indexer.parse.tables.flat import ROW_WINDOW
from indexer.parse.tables.prose import Statement, about, consistent, contradiction, settled_note

BLOCK_HEADER = r"第\s*二\s*十\s*条\s*第\s*[（(]\s*{}\s*[）)]\s*项"
COLUMN_WORDS = ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "处理决定数量",
                "本年处理决定数量", "采购项目数量", "采购总金额", "本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")
MARKS_2019 = ("本年新制作", "上一年项目数量", "采购项目数量", "政府集中采购", "其他对外管理服务事项")
MARKS_2021 = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "本年处理决定数量")

_PAGE_LINE = re.compile(r"(?m)^[ \t]*-\s*\d{1,3}\s*-[ \t]*$")  # a page number line of PDF text ('- 2 -')
_NOTE = re.compile(r"[（(]([^（()）\d]{1,20})[）)]")
_TOKEN = re.compile(r"(增|减|＋|\+|－|-)?\s*(\d+(?:\.\d+)?)\s*(万元|元)?")
_ALLOWED = re.compile(r"^[\s\d.+\-＋－增减万元,，单位：:（()）]*$")


@dataclass
class Token:
    sign: int | None  # +1 / -1 when the text carried 增/减/+/-; None when no sign was written
    digits: str  # "2648", "24252.311082"
    unit: str  # "" / "元" / "万元"


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def blocks_for(text: str, template: str | None) -> tuple[ActiveBlock, ...]:
    """Which format's blocks the table follows: its own column headers decide, the template only breaks ties."""
    flat = _compact(text)
    n19 = sum(flat.count(m) for m in MARKS_2019)
    n21 = sum(flat.count(m) for m in MARKS_2021)
    if n19 != n21:
        return ACTIVE_2019 if n19 > n21 else ACTIVE_2021
    return ACTIVE_2019 if template == "2019" else ACTIVE_2021


def parse_tokens(content: str) -> tuple[list[Token], list[str], bool] | None:
    """Tokens of a row's content, its notes, and whether cells may be glued; None if it is not figures."""
    content = _PAGE_LINE.sub("\n", content)
    notes = [m.group(1).strip() for m in _NOTE.finditer(content)]
    rest = _NOTE.sub(" ", content)
    if not _ALLOWED.match(rest):
        return None
    glued = "\t" not in content and "\n" not in content
    tokens = []
    for m in _TOKEN.finditer(rest):
        s = m.group(1)
        sign = None if s is None else (-1 if s in ("减", "-", "－") else 1)
        tokens.append(Token(sign, m.group(2), m.group(3) or ""))
    return tokens, notes, glued


def _value(digits: str, sign: int | None, unit: str, kind: str) -> int | float | None:
    if kind == "money":
        v = float(digits)
        if unit == "元":
            v = round(v / 10000, 6)
        return v
    if "." in digits:
        if re.fullmatch(r"\d+\.0+", digits):
            digits = digits.split(".")[0]
        else:
            return None
    if sign is not None and kind != "signed":
        return None
    if (len(digits) > 1 and digits[0] == "0"):
        return None
    return int(digits) * (sign or 1)


def readings(tokens: list[Token], glued: bool, kinds: list[str]) -> list[tuple]:
    """All ways to lay the tokens over the columns (each token one cell, or several when glued)."""
    n = len(kinds)
    out: list[tuple] = []

    def rec(ti: int, col: int, acc: tuple) -> None:
        if len(out) > 200:
            return
        if ti == len(tokens):
            if col == n:
                out.append(acc)
            return
        t = tokens[ti]
        left = n - col - (len(tokens) - ti - 1)
        if left <= 0:
            return
        for pieces in ([[t.digits]] if not glued else _cuts(t.digits, left)):
            vals = []
            ok = True
            for i, p in enumerate(pieces):
                kind = kinds[col + i]
                sign = t.sign if i == 0 else None
                unit = t.unit if i == len(pieces) - 1 else ""
                if unit and kind != "money":
                    ok = False
                    break
                v = _value(p, sign, unit, kind)
                if v is None:
                    ok = False
                    break
                vals.append(v)
            if ok:
                rec(ti + 1, col + len(pieces), acc + tuple(vals))

    rec(0, 0, ())
    return out


def _cuts(s: str, max_pieces: int):
    """Cut a run (digits, maybe one decimal point) into 1..max_pieces strings; a piece never starts with '.'."""
    if max_pieces <= 0:
        return
    yield [s]
    if max_pieces == 1:
        return
    for i in range(1, len(s)):
        if s[i] == "." or s[i - 1] == ".":
            continue
        head = s[:i]
        if "." in s[i:] and "." in head:
            continue
        for rest in _cuts(s[i:], max_pieces - 1):
            yield [head] + rest


def extract_active(text: str, start: int, end: int, template: str | None, exact: bool,
                   prose: list[Statement] = ()  # type: ignore[assignment]
                   ) -> tuple[dict[str, int | float], list[Warning], bool]:
    """Read the 二 table found in text[start:end]; returns fields, warnings and whether any row was found.
    ``prose``: figures the report's text states, used to choose among the cuttings of a glued run."""
    region = text[start:end]
    blocks = blocks_for(region, template)
    fields: dict[str, int | float] = {}
    warnings: list[Warning] = []
    row_specs = [(b, rk, rl, pat) for b in blocks for rk, rl, pat in b.rows]
    headers = [BLOCK_HEADER.format(n) for n in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")]
    boundary = re.compile("|".join([f"(?:{p})" for _, _, _, p in row_specs] + [f"(?:{h})" for h in headers]
                                   + [f"(?:{_loose(w)})" for w in COLUMN_WORDS]))
    pos = 0
    found_any = False
    pending: list[tuple[ActiveBlock, str]] = []  # rows of this block with nothing after their label (column-major)
    for block, rk, rl, pat in row_specs:
        m = re.compile(pat).search(region, pos, pos + ROW_WINDOW)
        if not m:
            continue
        found_any = True
        pos = m.end()
        b = boundary.search(region, m.end())
        content = region[m.end(): b.start() if b else len(region)]
        if exact:
            content = content.split("\n", 1)[0]
        parsed = parse_tokens(content)
        if parsed is None:
            warnings.append(Warning("table.unreadable", f"二、主动公开：{rl}一行的内容无法识别为数字", f"active.{rk}"))
            continue
        tokens, notes, glued = parsed
        kinds = [k for _, _, k in block.columns]
        pending = [(b, k) for b, k in pending if b is block]
        if not tokens and not exact and "\t" not in content:
            pending.append((block, rk))
            continue
        if pending and not glued and not exact and "\t" not in content and \
                len(tokens) == len(kinds) * (len(pending) + 1) and all(not t.unit and t.sign is None for t in tokens):
            # labels first, then the figures column by column (pdfminer text of a ruled PDF table)
            rows_ = [k for _, k in pending] + [rk]
            n = len(rows_)
            for r, key_row in enumerate(rows_):
                for j, (ck, _, kind) in enumerate(block.columns):
                    v = _value(tokens[j * n + r].digits, None, "", kind)
                    if v is not None:
                        fields[f"active.{key_row}.{ck}"] = v
            pending = []
            continue
        pending = []
        keys = [f"active.{rk}.{ck}" for ck, _, _ in block.columns]
        first_line = content.split("\n", 1)[0]
        if "\t" in first_line and (exact or not content.split("\n", 1)[1:] or not content.split("\n", 1)[1].strip()):
            cells = first_line.split("\t")
            if cells and not cells[0].strip():
                cells = cells[1:]
            while len(cells) > len(kinds) and not cells[-1].strip():
                cells = cells[:-1]
            if len(cells) == len(kinds):
                vals = []
                for cell, kind in zip(cells, kinds):
                    p = parse_tokens(cell)
                    if not p or len(p[0]) > 1:
                        vals.append(None)
                    elif not p[0]:
                        vals.append(0)
                    else:
                        t = p[0][0]
                        vals.append(_value(t.digits, t.sign, t.unit, kind))
                opts = [tuple(vals)]
            else:
                opts = readings(tokens, False, kinds)
        elif not tokens:
            opts = [tuple(0 for _ in kinds)] if "\t" in content else []
        else:
            opts = readings(tokens, glued, kinds)
        if not opts:
            if tokens:
                warnings.append(Warning("table.unreadable", f"二、主动公开：{rl}一行的数字与栏目数不符", f"active.{rk}"))
            continue
        used: list[Statement] = []
        against: list[Statement] = []
        if len(opts) > 1:
            narrowed, used, against = consistent(opts, keys, about(list(prose), ("active.",)))
            if any(len({o[i] for o in opts}) > 1 and len({o[i] for o in narrowed}) == 1 for i in range(len(keys))):
                warnings.append(settled_note("二、主动公开", rl, used, keys[0]))
            opts = narrowed
        for i, key in enumerate(keys):
            vals = {o[i] for o in opts}
            if len(vals) == 1 and None not in vals:
                fields[key] = next(iter(vals))
            elif len(opts) > 1:
                warnings.append(Warning("table.ambiguous", f"二、主动公开：{rl}的数字连写，无法确定各栏（{content.strip()}）", key))
        warnings += [contradiction(s) for s in against if any(k not in fields for k in s.keys)]
        for note in notes:  # a note belongs to the cell it follows
            warnings.append(Warning("field.note", note, _note_field(content, note, keys) or keys[0]))
    if found_any and not exact and "\t" not in region:
        for key, value in _column_major_blocks(region, row_specs).items():
            fields.setdefault(key, value)
    return fields, warnings, found_any


_NUMBER_LINE = re.compile(r"(?m)^[ \u3000]*(\d+(?:\.\d+)?)[ \u3000]*$")


def _column_major_blocks(region: str, row_specs) -> dict[str, int | float]:
    """Blocks printed labels-first, figures after, column by column, even across block headers (pdfminer text).

    Walks row labels and figure lines in text order; each group of figure lines fills the oldest rows still
    waiting, a whole block at a time.  Anything that does not fit exactly abandons the pass (nothing is guessed).
    """
    region = _PAGE_LINE.sub("", region)
    events: list[tuple[int, str, object]] = []
    pos = 0
    for block, rk, _, pat in row_specs:
        m = re.compile(pat).search(region, pos, pos + ROW_WINDOW)
        if m:
            events.append((m.start(), "row", (block, rk)))
            pos = m.end()
    for m in _NUMBER_LINE.finditer(region):
        events.append((m.start(), "num", m.group(1)))
    events.sort(key=lambda e: e[0])
    pending: list[tuple[ActiveBlock, str]] = []
    out: dict[str, int | float] = {}
    group: list[str] = []

    def flush() -> bool:
        while group:
            if not pending:
                return False
            block = pending[0][0]
            rows = [rk for b, rk in pending if b is block]
            need = len(rows) * len(block.columns)
            if len(group) < need:
                return False
            figures = group[:need]
            del group[:need]
            del pending[:len(rows)]
            for r, rk in enumerate(rows):
                for j, (ck, _, kind) in enumerate(block.columns):
                    v = _value(figures[j * len(rows) + r], None, "", kind)
                    if v is None:
                        return False
                    out[f"active.{rk}.{ck}"] = v
        return True

    for _, kind, item in events:
        if kind == "row":
            if group and not flush():
                return {}
            pending.append(item)  # type: ignore[arg-type]
        else:
            group.append(item)  # type: ignore[arg-type]
    if group and not flush():
        return {}
    return out


def _note_field(content: str, note: str, keys: list[str]) -> str | None:
    """The key of the cell a note follows (count the figures written before it)."""
    idx = content.find(note)
    before = _NOTE.sub(" ", content[:idx])
    n = len(list(_TOKEN.finditer(before)))
    if n == 0:
        return None
    return keys[min(n, len(keys)) - 1]
