"""A synthetic 10k-report index for the web benchmarks (not a test).

The bundled sample reports are parsed once through the real pipeline; their Reports are then cloned with other
issuers, regions and years (real place names, a spread like a national crawl) and written through the real store and
search index, so the benchmark searches real report text, real sections and real fields.

    python bench/web_index.py --index /tmp/nianbao-bench-10k --count 10000
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.library import Library  # noqa: E402

REGIONS = {
    "甘肃省": {"兰州市": ["城关区", "七里河区", "榆中县"], "武威市": ["凉州区", "民勤县", "古浪县"],
             "陇南市": ["武都区", "成县", "文县"], "天水市": ["秦州区", "麦积区", "甘谷县"]},
    "青海省": {"西宁市": ["城东区", "城中区", "湟中区"], "海东市": ["乐都区", "平安区", "民和回族土族自治县"]},
    "宁夏回族自治区": {"银川市": ["兴庆区", "金凤区", "永宁县"], "吴忠市": ["利通区", "青铜峡市", "盐池县"]},
    "江苏省": {"淮安市": ["清江浦区", "洪泽区", "涟水县"], "南京市": ["玄武区", "秦淮区", "江宁区"],
             "苏州市": ["姑苏区", "昆山市", "吴江区"]},
    "福建省": {"福州市": ["鼓楼区", "闽侯县", "平潭县"], "莆田市": ["城厢区", "涵江区", "仙游县"]},
    "上海市": {"上海市": ["黄浦区", "徐汇区", "浦东新区"]},
    "山东省": {"济宁市": ["任城区", "微山县", "曲阜市"], "济南市": ["历下区", "市中区", "章丘区"]},
    "浙江省": {"金华市": ["婺城区", "义乌市", "东阳市"], "杭州市": ["上城区", "西湖区", "余杭区"]},
}
DEPARTMENTS = ["人民政府", "人民政府办公室", "教育局", "税务局", "民政局", "自然资源局", "卫生健康委员会", "市场监督管理局"]


def clone(base, n: int, rng: random.Random):
    r = copy.deepcopy(base)
    province = rng.choice(list(REGIONS))
    city = rng.choice(list(REGIONS[province]))
    county = rng.choice(REGIONS[province][city] + [None, None])
    place = county or city
    dept = rng.choice(DEPARTMENTS)
    r.issuer = f"{place}{dept}"
    r.province, r.city, r.county = province, city, county
    r.level = "县级" if county else ("省级" if city == province else "地级")
    r.body_type = "政府" if "政府" in dept else "部门"
    r.year = rng.randint(2008, 2024)
    r.template = "2021" if r.year >= 2021 else "2019" if r.year >= 2019 else "pre2019"
    r.title = f"{r.issuer}{r.year}年政府信息公开工作年度报告"
    r.id = hashlib.sha1(f"bench|{n}".encode()).hexdigest()[:16]
    r.source = f"bench-{n}.txt"
    r.fields = {k: (v + rng.randint(0, 50) if isinstance(v, int) else v) for k, v in r.fields.items()}
    if "series.applications" not in r.fields:
        r.fields["series.applications"] = rng.randint(0, 400)
    return r


def build(index_dir: Path, count: int, seed: int = 1) -> Library:
    lib = Library(index_dir)
    have = lib.count()
    if have >= count:
        print(f"reusing {index_dir}: {have} reports")
        return lib
    t0 = time.perf_counter()
    if have:
        lib.sync_index()  # a build that was stopped: index what the store already holds
    samples = Library(index_dir.parent / (index_dir.name + "-samples"))
    samples.add_paths([ROOT / "samples"])
    bases = [r for r in samples.reports() if r.sections]
    samples.close()
    rng = random.Random(seed)
    batch = []
    for n in range(have, count):
        r = clone(rng.choice(bases), n, rng)
        lib.store.put(r, data=json.dumps([r.id]).encode(), name=r.source, content_type="text/plain")
        batch.append(r)
        if len(batch) == 2000:  # fewer, larger commits: each one merges segments
            lib.index.update(batch)
            batch.clear()
            print(f"  {n + 1}/{count}", file=sys.stderr)
    if batch:
        lib.index.update(batch)
    print(f"built {count} reports in {time.perf_counter() - t0:.0f} s")
    return lib


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=Path, default=Path("/tmp/nianbao-bench-10k"))
    ap.add_argument("--count", type=int, default=10_000)
    args = ap.parse_args()
    build(args.index, args.count).close()


if __name__ == "__main__":
    main()
