"""三、收到和处理政府信息公开申请情况 and 四、行政复议、行政诉讼 → apply.* / review.* / litigation.* fields."""

from __future__ import annotations

import re

from indexer.model import Warning
from indexer.parse.tables import solve
from indexer.parse.tables.catalogue import (APPLY_COLUMNS, APPLY_STOPS, REVIEW_KEYS, _loose, apply_result_keys,
                                      apply_rows)
from indexer.parse.tables.flat import RowContent, cells_of, column_major, find_rows, is_tab_table
from indexer.parse.tables.prose import Statement, about, consistent, contradiction, settled_note

APPLY_GROUPS = ((0, 7),)
REVIEW_GROUPS = ((0, 5), (5, 10), (10, 15))
_SPLIT_OTHER = re.compile(_loose("逾期不补正") + "|" + _loose("逾期未按收费通知"))
_FIRST = re.compile(_loose("本年新收") + r"\s*" + _loose("政府信息公开申请数量"))


def _lead(rc: RowContent, ncols: int) -> int | None:
    """The first cell of a tab row when it holds a figure: converters that lose blank cells keep the first one."""
    cells = cells_of(rc, ncols)
    if cells is None or cells.trusted or not cells.lead or not cells.lead.isdigit():
        return None
    return int(cells.lead)


def _row_candidates(rc: RowContent, ncols: int, groups, tab_table: bool = False
                    ) -> tuple[list[solve.Vector], bool] | None:
    """Candidate vectors of one row and whether the layout itself fixed them (None: unreadable)."""
    cells = cells_of(rc, ncols, tab_table)
    if cells is None:
        return None
    if cells.cells is not None:
        if any(c and not c.isdigit() for c in cells.cells):
            return None
        vec = tuple(int(c) if c else 0 for c in cells.cells)
        if cells.trusted or solve.satisfies(vec, groups):
            return [vec], True
    lit = solve.literal(cells.tokens, ncols)
    if lit is not None and (solve.satisfies(lit, groups) or not cells.glued):
        return [lit], True
    try:
        cands = solve.row_readings(cells.tokens, cells.glued, ncols, groups)
    except solve.Budget:
        return None
    if not cands and cells.cells is not None:
        # no reading satisfies the rule, but the cells were laid out unambiguously: keep the figures as printed
        return [tuple(int(c) if c else 0 for c in cells.cells)], True
    return cands, len(cands) == 1


def _apply_by_column(text: str, contents: dict[str, RowContent], keys: list[str]) -> dict[str, solve.Vector]:
    """Table 三 printed column by column: find the 总计 column (it equals the sum of the others in every row;
    converters sometimes put it before the last column) and keep the applicant columns in printed order."""
    printed = column_major(text, contents, keys, 7)
    chunks: dict[int, dict[str, list[int]]] = {}
    for key, (chunk, cols) in printed.items():
        chunks.setdefault(chunk, {})[key] = cols
    out: dict[str, solve.Vector] = {}
    for rows in chunks.values():
        for j in (6, 5):  # one column order per chunk (page), or nothing
            if all(cols[j] == sum(cols) - cols[j] for cols in rows.values()):
                for key, cols in rows.items():
                    out[key] = tuple(cols[:j] + cols[j + 1:] + [cols[j]])
                break
    return out


def _choose(cands: dict[str, list[solve.Vector]], result_keys: list[str], contents: dict[str, RowContent],
            holds=None) -> tuple[dict[str, list[int | None]], bool | None]:
    values, decided = solve.solve_apply(cands, result_keys, holds)
    if decided is None:
        # the column rules cannot choose (the report breaks them, or the search gave up): fall back on the layout
        # hint that a tab row's first cell keeps its column, then on what every reading of the row agrees on
        for key, vecs in cands.items():
            lead = _lead(contents[key], 7) if key in contents else None
            if len(vecs) > 1 and lead is not None:
                pinned = [v for v in vecs if v[0] == lead]
                values[key] = solve.agreed(pinned or vecs, 7)
    return values, decided


_COLUMN = {ck: i for i, (ck, _) in enumerate(APPLY_COLUMNS)}


def _cell(key: str) -> tuple[str, int]:
    """'apply.result.denied.state_secret.total' → ('result.denied.state_secret', 6)."""
    row, _, col = key.removeprefix("apply.").rpartition(".")
    return row, _COLUMN[col]


def _with_prose(cands: dict[str, list[solve.Vector]], values: dict[str, list[int | None]], decided: bool | None,
                result_keys: list[str], contents: dict[str, RowContent], prose: list[Statement]
                ) -> tuple[dict[str, list[int | None]], dict[str, list[Statement]], list[Statement]]:
    """Cells the rules leave open, settled by what the prose states: only readings (and combinations of readings)
    that agree with it are kept.  Returns the values with the settled cells filled in, the statements that settled
    each row, and the statements that no reading agrees with.  A cell the rules decide is never changed."""
    open_rows = [k for k, v in values.items() if None in v and len(cands.get(k, ())) > 1]
    stmts = [s for s in about(prose, ("apply.",)) if all(_cell(k)[0] in cands and cands[_cell(k)[0]] for k in s.keys)]
    if not open_rows or not stmts:
        return values, {}, []
    narrowed = dict(cands)
    used: list[Statement] = []
    against: list[Statement] = []
    single = [s for s in stmts if len({_cell(k)[0] for k in s.keys}) == 1]
    for key, vecs in cands.items():
        keys = [f"apply.{key}.{ck}" for ck, _ in APPLY_COLUMNS]
        mine = [s for s in single if _cell(s.keys[0])[0] == key]
        if len(vecs) > 1 and mine:
            narrowed[key], u, x = consistent(vecs, keys, mine)
            used += u
            against += x
    multi = [s for s in stmts if s not in single]

    def holds(chosen: dict[str, solve.Vector]) -> bool:
        return all(s.holds(lambda k: chosen[_cell(k)[0]][_cell(k)[1]]) for s in multi)

    new, new_decided = _choose(narrowed, result_keys, contents, holds if multi else None)
    if decided is True and new_decided is not True:
        return values, {}, against  # the prose agrees with no combination the rules allow: it settles nothing
    out = dict(values)
    settled: dict[str, list[Statement]] = {}
    for key in open_rows:
        merged = [o if o is not None else n for o, n in zip(values[key], new.get(key, values[key]))]
        if merged != values[key]:
            out[key] = merged
            settled[key] = [s for s in used + multi if any(_cell(k)[0] == key for k in s.keys)] or used + multi
    return out, settled, against


def extract_apply(text: str, start: int, exact: bool, prose: list[Statement] = ()  # type: ignore[assignment]
                  ) -> tuple[dict[str, int], list[Warning], int]:
    """Read table 三 starting at the first row label at/after `start`; returns fields, warnings, end position.
    ``prose``: figures the report's text states, used where the table's rules leave a glued run open."""
    m = _FIRST.search(text, start)
    if not m:
        return {}, [], start
    split_other = bool(_SPLIT_OTHER.search(text, m.start(), m.start() + 6000))
    rows = apply_rows(split_other)
    contents, end = find_rows(text, rows, m.start(), APPLY_STOPS, exact)
    warnings: list[Warning] = []
    cands: dict[str, list[solve.Vector]] = {}
    tab_table = is_tab_table(contents)
    by_column = {} if exact else _apply_by_column(text, contents, [r.key for r in rows if r.data])
    for row in rows:
        if not row.data:
            continue
        if row.key in by_column:
            cands[row.key] = [by_column[row.key]]
            continue
        rc = contents.get(row.key)
        if rc is None:
            warnings.append(Warning("table.missing_row", f"三、依申请公开：未找到“{row.label}”一行", f"apply.{row.key}"))
            continue
        got = _row_candidates(rc, 7, APPLY_GROUPS, tab_table)
        if got is None or not got[0]:
            warnings.append(Warning("table.unreadable", f"三、依申请公开：“{row.label}”一行的数字无法分栏（{rc.content.strip()[:60]}）",
                                    f"apply.{row.key}"))
            continue
        cands[row.key] = got[0]
    result_keys = apply_result_keys(split_other)
    values, decided = _choose(cands, result_keys, contents)
    values, settled, against = _with_prose(cands, values, decided, result_keys, contents, list(prose))
    fields: dict[str, int] = {}
    for row in rows:
        if not row.data or row.key not in values:
            continue
        undecided = []
        for (ck, cl), v in zip(APPLY_COLUMNS, values[row.key]):
            if v is None:
                undecided.append(cl)
            else:
                fields[f"apply.{row.key}.{ck}"] = v
        if row.key in settled:
            warnings.append(settled_note("三、依申请公开", f"“{row.label}”一行", settled[row.key], f"apply.{row.key}"))
        if undecided:
            warnings.append(Warning("table.ambiguous",
                                    f"三、依申请公开：“{row.label}”一行有多种分栏读法，{'、'.join(undecided)}栏未取值",
                                    f"apply.{row.key}"))
    warnings += [contradiction(s) for s in against if any(k not in fields for k in s.keys)]
    if split_other:
        subs = [f"apply.result.other.{s}" for s in ("no_correction", "unpaid_fee", "misc")]
        for ck, _ in APPLY_COLUMNS:
            parts = [fields.get(f"{s}.{ck}") for s in subs]
            if all(p is not None for p in parts):
                fields[f"apply.result.other.{ck}"] = sum(parts)  # type: ignore[arg-type]
    return fields, warnings, end


# header words, also when PDF text splits and interleaves them ('结 果|结 果|其 他 结|尚 未|维持|纠正|果|审结')
_REVIEW_HEAD = re.compile(r"[\s行政复议诉讼结果维持纠正其他尚未审总计经直接起后]+")
_HEADER_WORD = re.compile("|".join(_loose(w) for w in ("行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结",
                                                         "总计", "未经复议直接起诉", "复议后起诉")))
_REVIEW_START = re.compile(_loose("行政复议") + r"\s*" + r"(?:" + _loose("行政诉讼") + "|" + _loose("结果维持") + ")")


def extract_review(text: str, start: int, exact: bool, prose: list[Statement] = ()  # type: ignore[assignment]
                   ) -> tuple[dict[str, int], list[Warning], bool]:
    """Read table 四 (15 figures after its header) at/after `start`; ``prose`` as for :func:`extract_apply`."""
    m = _REVIEW_START.search(text, start)
    if not m:
        return {}, [], False
    h = _REVIEW_HEAD.match(text, m.start())
    body_start = h.end() if h else m.end()
    # keep the separator that preceded the first figure (a tab row starts with its first cell)
    while body_start > m.start() and text[body_start - 1] in "\t \n":
        body_start -= 1
    rest = text[body_start:]
    if exact:
        # real rows: the data row is the first line after the header lines (it may be all blank cells)
        lines = text[m.start():].split("\n")
        i = 0
        while i < len(lines) and _HEADER_WORD.search(lines[i]) and not re.search(r"\d", lines[i]):
            i += 1
        content = "\t" + lines[i] if i < len(lines) else ""
        body_start = m.start()
    else:
        run = re.match(r"[\d\s]*", rest)
        content = run.group(0) if run else ""
        content = content.rstrip()
    rc = RowContent("review", content, exact, body_start)
    warnings: list[Warning] = []
    got = _row_candidates(rc, 15, REVIEW_GROUPS)
    if got is None or not got[0]:
        if content.strip():
            warnings.append(Warning("table.unreadable", f"四、复议诉讼：15个数字无法分栏（{content.strip()[:60]}）"))
        return {}, warnings, True
    readings, used, against = got[0], [], []
    if len(readings) > 1:
        readings, used, against = consistent(readings, list(REVIEW_KEYS), about(list(prose), ("review.", "litigation.")))
    values = solve.agreed(readings, 15)
    fields = {k: v for k, v in zip(REVIEW_KEYS, values) if v is not None}
    if sum(v is not None for v in values) > sum(v is not None for v in solve.agreed(got[0], 15)):
        warnings.append(settled_note("四、复议诉讼", "15个数字", used, None))
    if len(fields) < 15:
        warnings.append(Warning("table.ambiguous", f"四、复议诉讼：数字连写有{len(readings)}种读法，{15 - len(fields)}栏未取值"))
    warnings += [contradiction(s) for s in against if any(k not in fields for k in s.keys)]
    return fields, warnings, True
