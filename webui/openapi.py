"""The OpenAPI 3.1 description of /api/*."""

from __future__ import annotations

from indexer.model import CANONICAL_SECTIONS, LEVELS, METADATA_KEYS, TEMPLATES

from webui.params import MAX_HITS_PER_REPORT, MAX_LIMIT, SNIPPETS, SORTS


def _q(name: str, description: str, schema: dict | None = None, explode: bool = True) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _list(description: str, item: dict | None = None) -> dict:
    return {"type": "array", "items": item or {"type": "string"}, "description": description}


FILTER_PARAMS = [
    _q("q", "检索式（全文检索；短语用引号；语法见 nianbao search --help）"),
    {**_q("province", "省份全称，可重复或逗号分隔（同一键内为“或”）", _list("省份")), "explode": True},
    {**_q("city", "城市全称", _list("城市")), "explode": True},
    {**_q("county", "区县全称", _list("区县")), "explode": True},
    {**_q("issuer", "发布机关：issuer_id（如 620600/政府，见 facets.issuer 的 value）或发布机关全称（如 武威市人民政府），"
                    "选出该机关历年的全部报告；索引中没有的机关返回 400 并给出相近的名称",
          _list("发布机关", {"type": "string", "examples": ["620600/政府", "武威市人民政府"]})), "explode": True},
    {**_q("year", "报告年度，如 2019 或区间 2018-2020", _list("年度", {"type": "string", "pattern": r"^\d{4}(-\d{4})?$"})),
     "explode": True},
    {**_q("section", "章节：规范名或中文标签", _list("章节", {"type": "string", "examples": list(CANONICAL_SECTIONS)})),
     "explode": True},
    {**_q("level", "层级", _list("层级", {"type": "string", "enum": list(LEVELS)})), "explode": True},
    {**_q("body_type", "机关类型", _list("机关类型", {"type": "string", "enum": ["政府", "部门"]})), "explode": True},
    {**_q("template", "报告格式", _list("报告格式", {"type": "string", "enum": list(TEMPLATES)})), "explode": True},
    {**_q("warning", "带某种提示（表格校验未通过等）的报告：提示代码或其前缀，如 check.apply.balance、check",
          _list("提示代码")), "explode": True},
    {**_q("keyword", "主题词：报告的前五个关键词之一（见 facets.keyword）", _list("主题词")), "explode": True},
    _q("mode", "匹配方式：exact 精确（每个词原样出现，缺省）；words 分词（同一章节含有结巴切分出的全部词语，顺序不限）",
       {"type": "string", "enum": ["exact", "words"], "default": "exact"}),
]
PAGING_PARAMS = [
    _q("sort", "排序：relevance / year_desc / year_asc，或按统计字段（大→小）如 apply.new.total，"
               "加 :asc 为小→大", {"type": "string", "default": "relevance",
                                  "examples": [*SORTS, "apply.new.total", "apply.new.total:asc"]}),
    _q("limit", "每页报告数", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20}),
    _q("offset", "跳过的报告数", {"type": "integer", "minimum": 0, "default": 0}),
]
FACET_SIZE_PARAM = _q("facet_size", "每个分面最多列出的取值数（按报告数排前者；省略则全部列出；正在筛选的分面与主题词不截断）；"
                                    "截去的取值数见 facets_more", {"type": "integer", "minimum": 1, "maximum": 100000})

SNIPPETS_PARAM = _q("snippets", f"每份报告的命中章节中，前几个带摘录（snippet）；其余只给章节标题与锚点（每份报告最多列 "
                                f"{MAX_HITS_PER_REPORT} 个命中章节，全部命中见报告页）",
                    {"type": "integer", "minimum": 0, "maximum": MAX_HITS_PER_REPORT, "default": SNIPPETS})

ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
         "required": ["error", "status"]}
FACET_VALUES = {
    "type": "object",
    "description": "分面名 → 取值列表（按报告数从多到少）。issuer（发布机关）的 value 是 issuer_id，label 是机关名称"
                   "（所计报告中最常用的名称，同样多时取最近年度的）；section 的 label 是章节的中文名",
    "properties": {"issuer": {"type": "array", "items": {"type": "object", "required": ["value", "label", "count"],
                                                         "properties": {"value": {"type": "string"},
                                                                        "label": {"type": "string"},
                                                                        "count": {"type": "integer"}}}}},
    "additionalProperties": {"type": "array", "items": {
        "type": "object", "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                                         "count": {"type": "integer"}}}}}
HIT = {"type": "object", "properties": {
    "anchor": {"type": "string"}, "heading": {"type": "string"}, "canonical": {"type": "string"},
    "snippet": {"type": "string", "description": "HTML：文本已转义，命中词包在 <mark> 中；只有前 snippets 个命中章节有"}},
    "required": ["anchor", "heading", "canonical"]}
RESULT = {"type": "object", "properties": {
    **{k: {"type": ["string", "null"]} for k in ("id", "title", "issuer", "issuer_id", "province", "city", "county",
                                                   "level", "body_type", "template", "source")},
    "year": {"type": ["integer", "null"]}, "score": {"type": "number"},
    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}}
SEARCH_RESULT = {"type": "object", "properties": {
    "query": {"type": "string"}, "total": {"type": "integer", "description": "命中的报告数"},
    "total_sections": {"type": "integer", "description": "命中的章节数"}, "took_ms": {"type": "number"},
    "facets": {"$ref": "#/components/schemas/Facets"},
    "facets_more": {"type": "object", "description": "给了 facet_size 时：各被截断分面未列出的取值数",
                    "additionalProperties": {"type": "integer"}},
    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
    "limit": {"type": "integer"}, "offset": {"type": "integer"}, "sort": {"type": "string"}},
    "required": ["query", "total", "results"]}
REPORT = {"type": "object", "description": "docs/FIELDS.md 中的报告：元数据、章节、统计表字段、警告", "properties": {
    **{k: {"type": ["string", "null"]} for k in METADATA_KEYS if k != "year"},
    "year": {"type": ["integer", "null"]},
    "sections": {"type": "array", "items": {"type": "object", "properties": {
        "anchor": {"type": "string"}, "number": {"type": "string"}, "heading": {"type": "string"},
        "level": {"type": "integer"}, "canonical": {"type": "string", "enum": list(CANONICAL_SECTIONS)},
        "text": {"type": "string"},
        "keywords": {"$ref": "#/components/schemas/Keywords"}}}},
    "keywords": {"$ref": "#/components/schemas/Keywords"},
    "fields": {"type": "object", "additionalProperties": {"type": "number"},
               "description": "字段键（如 apply.new.total）→ 数值"},
    "warnings": {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}},
    "illustrations": {"type": "array", "description": "关于这份报告的图解、解读页面（不作为报告收录）：类型、标题、原文链接",
                      "items": {"type": "object", "required": ["kind", "title", "source"], "properties": {
                          "kind": {"type": "string", "enum": ["图解", "政策解读"]}, "title": {"type": "string"},
                          "source": {"type": "string", "description": "网址（本地添加的为文件名）"}}}}}}


DIFF = {"type": "object", "required": ["report", "against", "sentences", "sections", "fields"], "properties": {
    "report": {"type": "string"}, "against": {"type": "string", "description": "对比的（较早的）报告编号"},
    "sentences": {"type": "object", "description": "全文合计：新增、删去、未变的句子数",
                  "properties": {op: {"type": "integer"} for op in ("kept", "new", "dropped")}},
    "sections": {"type": "array", "items": {"type": "object", "properties": {
        "canonical": {"type": "string", "enum": list(CANONICAL_SECTIONS)}, "label": {"type": "string"},
        "kept": {"type": "integer"}, "new": {"type": "integer"}, "dropped": {"type": "integer"},
        "sentences": {"type": "array", "items": {"type": "object", "properties": {
            "op": {"type": "string", "enum": ["kept", "new", "dropped"]}, "text": {"type": "string"}}}}}}},
    "fields": {"type": "array", "description": "两份报告的全部统计字段，变化最大的在前", "items": {
        "type": "object", "properties": {
            "key": {"type": "string"}, "label": {"type": "string"},
            **{k: {"type": ["number", "null"]} for k in ("old", "new", "delta", "pct")},
            "old_check_failed": {"type": "boolean"}, "new_check_failed": {"type": "boolean"}}}}}}
REUSE = {"type": "object", "properties": {
    "report": {"type": "string"},
    "sentences": {"type": "integer", "description": "计入的正文句子数（不含标准表述）"},
    "standard": {"type": "integer", "description": "作为标准表述不计的句子数"},
    "previous_id": {"type": ["string", "null"]},
    "previous": {"type": ["number", "null"], "description": "与本机关上年报告相同的句子占比（0–1）"},
    "others": {"type": ["number", "null"], "description": "与其他机关同年或更早报告相同的句子占比（0–1）"},
    "sources": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "shared": {"type": "integer"},
        "passages": {"type": "array", "items": {"type": "string"}}}}}}}
SERIES = {"type": "object", "properties": {
    "report": {"type": "string"}, "body": {"type": ["string", "null"], "description": "机关的识别键"},
    "reports": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "year": {"type": ["integer", "null"]}, "title": {"type": ["string", "null"]},
        "issuer": {"type": ["string", "null"]},
        "fields": {"type": "object", "additionalProperties": {"type": "number"}}}}}}}
KEYWORDS = {"type": "array", "description": "主题词：TF-IDF（结巴分词，IDF 取自本库全部报告），权重从高到低",
            "items": {"type": "object", "properties": {"word": {"type": "string"}, "weight": {"type": "number"}}}}
SIMILAR = {"type": "object", "properties": {"id": {"type": "string"}, "similar": {"type": "array", "items": {
    "type": "object", "properties": {
        **{k: {"type": ["string", "null"]} for k in ("id", "title", "issuer", "province", "city", "county")},
        "year": {"type": ["integer", "null"]},
        "score": {"type": "number", "description": "用词相似度（TF-IDF 词向量的余弦，0–1）"},
        "same_issuer": {"type": "boolean"}}}}}}


def _responses(ok: dict, *, not_found: bool = False) -> dict:
    out = {"200": ok, "400": {"description": "参数或检索式有误",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
    if not_found:
        out["404"] = {"description": "没有这份报告",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    out["503"] = {"description": "检索用时超过上限（请缩小范围），或索引需要重建",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return out


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _report_op(summary: str, operation_id: str, schema: dict, description: str, extra: list | None = None) -> dict:
    """GET /api/reports/{id}…: one report's data, 404 when there is no such report."""
    return {"get": {"summary": summary, "operationId": operation_id,
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                                   *(extra or [])],
                    "responses": _responses(_json(schema, description), not_found=True)}}


def openapi_document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "nianbao 年报检索 API", "version": "1.0",
                 "description": "政府信息公开工作年度报告的全文检索与统计数据（只读）。字段名见项目源码中的 docs/FIELDS.md（数据字典）。"},
        "servers": [{"url": server_url}],
        "paths": {
            "/api/search": {"get": {
                "summary": "全文检索（与 nianbao search --json 相同的参数与结果）", "operationId": "search",
                "parameters": FILTER_PARAMS + PAGING_PARAMS + [FACET_SIZE_PARAM, SNIPPETS_PARAM],
                "responses": _responses(_json({"$ref": "#/components/schemas/SearchResult"}, "检索结果"))}},
            "/api/facets": {"get": {
                "summary": "分面计数", "operationId": "facets", "parameters": FILTER_PARAMS,
                "responses": _responses(_json({"type": "object", "properties": {
                    "query": {"type": "string"}, "filters": {"type": "object"},
                    "facets": {"$ref": "#/components/schemas/Facets"}}}, "各分面的取值与报告数"))}},
            "/api/reports/{id}": _report_op("一份报告的全部内容", "getReport", {"$ref": "#/components/schemas/Report"},
                                            "报告"),
            "/api/reports/{id}/diff": _report_op(
                "与上年对比：逐节的句子增删与统计数字变化", "getReportDiff", {"$ref": "#/components/schemas/Diff"},
                "对比结果", [_q("against", "对比的报告编号；缺省为同一机关上一年度的报告")]),
            "/api/reports/{id}/series": _report_op(
                "同一机关各年度的报告与主要数字", "getReportSeries", {"$ref": "#/components/schemas/Series"}, "各年度报告"),
            "/api/reports/{id}/reuse": _report_op(
                "复用率：与本机关上年报告、与其他机关报告逐字相同的句子占比及来源", "getReportReuse",
                {"$ref": "#/components/schemas/Reuse"}, "复用率"),
            "/api/reports/{id}/similar": _report_op(
                "用词最相近的报告（同一发布机关的其他年度与其他机关）", "similarReports", SIMILAR, "相近的报告与相似度",
                [_q("limit", "最多返回几份（1–100，缺省 10）", {"type": "integer", "default": 10})]),
            "/api/export": {"get": {
                "summary": "导出检索到的报告（每份报告一行：元数据与字段）", "operationId": "export",
                "parameters": FILTER_PARAMS + [
                    _q("format", "csv（UTF-8 带 BOM，Excel 可直接打开）或 json",
                       {"type": "string", "enum": ["csv", "json"], "default": "csv"}),
                    _q("labels", "列名：zh 为中文名（CSV 缺省），key 为 docs/FIELDS.md 键名（JSON 缺省）",
                       {"type": "string", "enum": ["zh", "key"]}),
                    _q("fields", "只导出这些字段键，逗号分隔；缺省为全部")],
                "responses": _responses({"description": "导出数据", "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object", "properties": {
                        "columns": {"type": "array", "items": {"type": "string"}},
                        "rows": {"type": "array", "items": {"type": "object"}},
                        "total": {"type": "integer"}}}}}})}},
            "/api/openapi.json": {"get": {
                "summary": "本说明文档", "operationId": "openapi",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1 文档")}}},
        },
        "components": {"schemas": {"Error": ERROR, "Facets": FACET_VALUES, "Hit": HIT, "Result": RESULT,
                                   "SearchResult": SEARCH_RESULT, "Report": REPORT, "Diff": DIFF,
                                   "Series": SERIES, "Reuse": REUSE, "Keywords": KEYWORDS}},
    }
