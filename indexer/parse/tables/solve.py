"""Readings of a row: which figures sit in which column, when the layout lost cell boundaries.

A row arrives as exact cells, or as tokens in order (blank cells possibly lost), or as glued digit runs
(``640020470``).  ``row_readings`` enumerates the vectors the text allows and keeps those that satisfy the row's own
sum rule(s); ``solve_apply`` then uses the column rules of table 三 to choose among what is left.  Every search is
bounded: past the budget it gives up (the caller leaves the cells out with a warning) instead of hanging.
"""

from __future__ import annotations

from itertools import combinations
from typing import Callable, Iterable, Iterator, Sequence

MAX_PIECE_DIGITS = 7  # a count in these tables never needs more digits than this
SPLIT_BUDGET = 50_000  # piece sequences tried per row
CUT_BUDGET = 400_000  # search nodes per row for the readings that fill every column
PLACE_BUDGET = 300_000  # placements tried per row
SOLVE_BUDGET = 150_000  # search nodes for the column rules of table 三 (≈0.3 s worst case)
SOLUTION_CAP = 2_000

Vector = tuple[int, ...]
Groups = Sequence[tuple[int, int]]  # (start, stop) column ranges; the last column of each range is its total


class Budget(Exception):
    """A search went past its bound."""


def satisfies(vec: Sequence[int], groups: Groups) -> bool:
    return all(sum(vec[a:b - 1]) == vec[b - 1] for a, b in groups)


def splits(token: str, max_pieces: int) -> Iterator[tuple[int, ...]]:
    """Ways to cut a digit run into numbers written without leading zeros (``'0'`` is one number)."""
    n = len(token)

    def rec(i: int, left: int) -> Iterator[tuple[int, ...]]:
        if i == n:
            yield ()
            return
        if left == 0 or n - i > left * MAX_PIECE_DIGITS:
            return  # the rest cannot fit in the pieces left
        if token[i] == "0":
            for rest in rec(i + 1, left - 1):
                yield (0,) + rest
            return
        for j in range(i + 1, min(n, i + MAX_PIECE_DIGITS) + 1):
            head = int(token[i:j])
            for rest in rec(j, left - 1):
                yield (head,) + rest

    yield from rec(0, max_pieces)


def piece_sequences(tokens: Sequence[str], glued: bool, ncols: int) -> Iterator[tuple[int, ...]]:
    """All sequences of numbers the tokens can stand for (each token cut into ≥1 numbers if glued)."""
    if not glued:
        yield tuple(int(t) for t in tokens)
        return
    count = 0

    def rec(i: int, left: int) -> Iterator[tuple[int, ...]]:
        nonlocal count
        if i == len(tokens):
            yield ()
            return
        for head in splits(tokens[i], left - (len(tokens) - i - 1)):
            for rest in rec(i + 1, left - len(head)):
                count += 1
                if count > SPLIT_BUDGET:
                    raise Budget
                yield head + rest

    yield from rec(0, ncols)


def full_readings(tokens: Sequence[str], ncols: int, groups: Groups) -> list[Vector]:
    """Every way to cut glued digit runs into exactly ncols numbers that satisfies the sum rules (raises Budget).

    Depth-first, column by column: a total column is not guessed but read off — the sum of its group's parts must be
    what the text says next — so the search never lists the (many) cuttings that break a rule.  Numbers are written
    without leading zeros (``'0'`` is one number) and never run across a gap between tokens.
    """
    text = "".join(tokens)
    n = len(text)
    cuts: set[int] = set()  # gaps between tokens: a number ends there
    pos = 0
    for t in tokens[:-1]:
        pos += len(t)
        cuts.add(pos)
    total_of: dict[int, int] = {b - 1: a for a, b in groups}  # total column → first part column
    member: list[int | None] = [None] * ncols
    for a, b in groups:
        for c in range(a, b - 1):
            member[c] = b - 1
    out: list[Vector] = []
    vec = [0] * ncols
    nodes = 0

    def fits(i: int, j: int) -> bool:
        return not any(i < c < j for c in cuts) if cuts else True

    def rec(col: int, i: int) -> None:
        nonlocal nodes
        nodes += 1
        if nodes > CUT_BUDGET:
            raise Budget
        left = ncols - col
        if left == 0:
            if i == n:
                out.append(tuple(vec))
            return
        if n - i < left or n - i > left * MAX_PIECE_DIGITS:
            return
        if col in total_of:
            want = str(sum(vec[total_of[col]:col]))
            j = i + len(want)
            if text.startswith(want, i) and fits(i, j):
                vec[col] = int(want)
                rec(col + 1, j)
            return
        if text[i] == "0":
            vec[col] = 0
            rec(col + 1, i + 1)
            return
        tot = member[col]
        for j in range(i + 1, min(n, i + MAX_PIECE_DIGITS) + 1):
            if not fits(i, j):
                break
            vec[col] = int(text[i:j])
            if tot is not None:
                # the group's total is at least this long: the text left must hold it and every column after it
                need = (tot - col - 1) + len(str(sum(vec[total_of[tot]:col + 1]))) + (ncols - tot - 1)
                if need > n - j:
                    break  # a longer piece only makes the sum longer and leaves less text
            rec(col + 1, j)
        vec[col] = 0

    rec(0, 0)
    return sorted(set(out))


def placements(pieces: Sequence[int], ncols: int) -> Iterator[Vector]:
    """Put the pieces into ncols columns in order, the other columns blank (0)."""
    m = len(pieces)
    if m == ncols:
        yield tuple(pieces)
        return
    for pos in combinations(range(ncols), m):
        vec = [0] * ncols
        for p, v in zip(pos, pieces):
            vec[p] = v
        yield tuple(vec)


def row_readings(tokens: Sequence[str], glued: bool, ncols: int, groups: Groups) -> list[Vector]:
    """Vectors the tokens allow that satisfy the row's sum rules (raises Budget past the bounds).

    Readings that use every column (zeros written out) are preferred: blank cells are only supposed lost when no
    such reading satisfies the rules.
    """
    if any(not t.isdigit() for t in tokens):
        return []
    if glued:
        full_glued = full_readings(tokens, ncols, groups)
        if full_glued:
            return full_glued
    seqs = list(piece_sequences(tokens, glued, ncols))
    full = {tuple(s) for s in seqs if len(s) == ncols and satisfies(s, groups)}
    if full:
        return sorted(full)
    out: set[Vector] = set()
    tried = 0
    for s in seqs:
        if len(s) >= ncols:
            continue
        for vec in placements(s, ncols):
            tried += 1
            if tried > PLACE_BUDGET:
                raise Budget
            if satisfies(vec, groups):
                out.add(vec)
    return sorted(out)


def literal(tokens: Sequence[str], ncols: int) -> Vector | None:
    """The reading when the layout leaves no choice: exactly ncols separate figures."""
    if len(tokens) == ncols and all(t.isdigit() for t in tokens):
        return tuple(int(t) for t in tokens)
    return None


def agreed(readings: Iterable[Sequence[int]], ncols: int) -> list[int | None]:
    """Per column: the value every reading agrees on, else None."""
    out: list[int | None] = [None] * ncols
    first = True
    for r in readings:
        if first:
            out = list(r)
            first = False
            continue
        out = [a if a is not None and a == b else None for a, b in zip(out, r)]
    return out if not first else [None] * ncols


def solve_apply(cands: dict[str, list[Vector]], result_keys: Sequence[str],
                holds: Callable[[dict[str, Vector]], bool] | None = None
                ) -> tuple[dict[str, list[int | None]], bool | None]:
    """Choose among the readings of table 三's rows with its column rules.

    cands: row key → candidate vectors (7 wide; a row absent from cands is unknown).  Rules per column:
    new + carried_over = result.total + carried_forward; Σ result rows = result.total.  Returns per row the agreed
    values (None = undecided) and whether the rules decided: True (some combinations satisfy them), None (the search
    finished and none does: the report breaks its own rules), False (rules not usable, or the search gave up).

    Depth-first over the ambiguous rows (fewest readings first), pruned by per-column bounds: the result rows still
    to choose must be able to make up exactly what （七）总计 leaves.  ``holds``: a further condition on a whole
    combination (row key → vector), e.g. what the report's prose states; combinations failing it do not count.
    """
    ambiguous = [k for k, v in cands.items() if len(v) > 1]
    if not ambiguous:
        return {k: list(v[0]) for k, v in cands.items() if v}, True
    balance_rows = ("new", "carried_over", "result.total", "carried_forward")
    use_balance = all(k in cands and cands[k] for k in balance_rows)
    use_sum = "result.total" in cands and bool(cands["result.total"]) and all(k in cands and cands[k] for k in result_keys)
    fallback = {k: agreed(v, 7) for k, v in cands.items() if v}
    if not (use_balance or use_sum):
        return fallback, False
    W = range(7)
    # the four balance rows first: their combinations are few and fix （七）总计
    head = [k for k in balance_rows if k in ambiguous]
    res_amb = sorted((k for k in result_keys if k in ambiguous), key=lambda k: len(cands[k])) if use_sum else []
    rest = [k for k in ambiguous if k not in head and k not in res_amb]
    fixed_res = [0] * 7
    if use_sum:
        for k in result_keys:
            if len(cands[k]) == 1:
                for c in W:
                    fixed_res[c] += cands[k][0][c]
    # per-column bounds of what the result rows from position i on can still add
    n = len(res_amb)
    lo = [[0] * 7 for _ in range(n + 1)]
    hi = [[0] * 7 for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        vs = cands[res_amb[i]]
        for c in W:
            lo[i][c] = lo[i + 1][c] + min(v[c] for v in vs)
            hi[i][c] = hi[i + 1][c] + max(v[c] for v in vs)
    chosen: dict[str, Vector] = {k: v[0] for k, v in cands.items() if len(v) == 1}
    seen: dict[str, list[set[int]]] = {k: [set() for _ in W] for k in ambiguous}
    open_cells = {(k, c) for k in ambiguous for c in W if len({v[c] for v in cands[k]}) > 1}
    state = {"nodes": 0, "solutions": 0}

    class Done(Exception):
        pass

    def record() -> None:
        if holds is not None and not holds(chosen):
            return
        state["solutions"] += 1
        for k in ambiguous:
            vec = chosen[k]
            for c in W:
                seen[k][c].add(vec[c])
                if len(seen[k][c]) > 1:
                    open_cells.discard((k, c))
        if not open_cells:
            raise Done  # every cell that could vary has been seen to vary: nothing more to learn
        if state["solutions"] >= SOLUTION_CAP:
            raise Budget

    def balance_ok() -> bool:
        if not use_balance:
            return True
        a, b, t, f = (chosen[k] for k in balance_rows)
        return all(a[c] + b[c] == t[c] + f[c] for c in W)

    def res_rec(i: int, acc: list[int], total: Vector) -> None:
        if i == n:
            if acc == list(total):
                rest_rec(0)
            return
        k = res_amb[i]
        for vec in cands[k]:
            state["nodes"] += 1
            if state["nodes"] > SOLVE_BUDGET:
                raise Budget
            nxt = [acc[c] + vec[c] for c in W]
            if all(nxt[c] + lo[i + 1][c] <= total[c] <= nxt[c] + hi[i + 1][c] for c in W):
                chosen[k] = vec
                res_rec(i + 1, nxt, total)
        chosen.pop(k, None)

    def rest_rec(i: int) -> None:
        if i == len(rest):
            record()
            return
        for vec in cands[rest[i]]:
            chosen[rest[i]] = vec
            rest_rec(i + 1)

    def head_rec(i: int) -> None:
        if i < len(head):
            for vec in cands[head[i]]:
                state["nodes"] += 1
                if state["nodes"] > SOLVE_BUDGET:
                    raise Budget
                chosen[head[i]] = vec
                head_rec(i + 1)
            return
        if not balance_ok():
            return
        if use_sum:
            res_rec(0, list(fixed_res), chosen["result.total"])
        else:
            rest_rec(0)

    try:
        head_rec(0)
    except Done:
        pass
    except Budget:
        return fallback, False
    if state["solutions"] == 0:
        return fallback, None
    out = {k: list(v[0]) for k, v in cands.items() if len(v) == 1}
    for k in ambiguous:
        out[k] = [next(iter(s)) if len(s) == 1 else None for s in seen[k]]
    return out, True
