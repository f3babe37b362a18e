"""HTML page or fragment → Document: the report's own content, without the site around it.

How the content is found (general rules for Chinese government CMS pages, not per-site templates):
1. junk elements go first: scripts, styles, forms, nav/header/footer/aside, and elements whose id/class names
   them as chrome (breadcrumb, menu, share, footer, copyright …);
2. the content is the CMS's own content marker when there is one (Hanweb's ``<!--ZJEG_RSS.content.begin-->``
   comments, TRS ``TRS_Editor``, ``id=zoom`` …), otherwise the densest element: starting at <body>, step into the
   child that holds the page's text as long as what is left behind is at most 10 % of it (link text not counted);
3. the rendered lines are filtered once more for chrome lines (当前位置, 点击数, 网站标识码, ICP备, 打印本页 …).
The article title is put back first when it stood outside the content element.

Text conventions: block elements, <br> and table rows end lines; whitespace runs collapse to one space, and vanish
where a source line break falls between Chinese characters (CSS Text 3 segment-break rule); each line is stripped.
Tables without nested tables and with at least 2 rows × 2 columns are data tables: kept as Table objects (spans as
written) and rendered one row per line, cells tab-joined.  Any other table is layout and is read as blocks.

The page is parsed by Beautiful Soup with lxml's HTML parser underneath (read/soup.py): the same tree model as the
crawler's discovery and a site's CSS selectors, and libxml2's tree (nesting.py guards its depth limit).  The walks
below read it as lxml's text/tail model did: text is character data without comments, a removed element's
neighbouring text pieces join again, so that measures taken piece by piece (``_own_text_len``) stay the same.
"""

from __future__ import annotations

import re

from bs4 import NavigableString, Tag

from indexer.model import Cell, Document, ReadError, Table
from indexer.read.nesting import shallow_html
from indexer.read.soup import child_tags, first_tag, is_text, iter_tags, parse, root_element, text_content, texts
from indexer.read.text import decode_text, join_cell_lines, normalize_newlines, table_lines

_JUNK_TAGS = ("script", "style", "noscript", "iframe", "form", "nav", "header", "footer", "aside", "select", "button",
              "input", "textarea", "svg", "object", "embed", "template", "link", "map", "audio", "video", "canvas")
_BLOCK_TAGS = frozenset("""address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre section summary table
tbody thead tfoot tr td th ul""".split())
# id/class tokens that name site chrome.  Matched against whole tokens split at - _ and case changes.
_CHROME_NAME = re.compile(
    r"^(?:nav|navbar|navigation|menu|menus|submenu|breadcrumbs?|crumbs?|bread|position|location|loc|weizhi|dqwz|"
    r"footer|foot|copyright|copy|banner|share|sharing|bdshare|jiathis|social|toolbar|tools|print|sidebar|side|"
    r"leftnav|rightnav|topbar|login|search|sitemap|friendlink|friendlinks|links|related|relate|xgxx|xglj|"
    r"fontsize|zihao|pager|pagination|qrcode|ewm|wza|barrier|skip|advert|ad|ads|gotop|backtop)$", re.I)
# ids/classes that CMS products put on the article body, in order of trust: ("class", token) or ("id", value)
_CONTENT_SELECTORS = (
    ("class", "TRS_Editor"), ("class", "trs_editor_view"), ("class", "TRS_UEDITOR"),
    ("id", "zoom"), ("id", "UCAP-CONTENT"), ("id", "Zoom"), ("id", "fontzoom"),
    ("class", "article-content"), ("class", "pages_content"),
)
_XML_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space() treats as space
_HANWEB_BEGIN = re.compile(r"<!--\s*ZJEG_RSS\.content\.begin\s*-->", re.I)
_HANWEB_END = re.compile(r"<!--\s*ZJEG_RSS\.content\.end\s*-->", re.I)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w]+)""", re.I)
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SEGMENT_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_MAX_CELL_CHARS = 300
_BREAK = "\x01"  # a line end made by the markup (block element, <br>); source line breaks are whitespace
_IMG = "\x02"  # where an <img> stands in the text (control characters are gone from the source by then)

# --- chrome lines -------------------------------------------------------------------------------------------------
_CHROME_LINE = re.compile(
    r"^(?:您?当前(?:的|所在)?位置|您的位置|当前所在位置|所在位置|当前栏目)\s*[:：]|^首\s*页\s*[>›»→/]|"
    r"网站标识码|ICP\s*备|公网安备|版权所有|Copyright|©|"
    r"^(?:主办单位|承办单位|主办|承办|技术支持|维护单位|网站主办|网站地图|联系我们|访问量|总访问量)\s*[:：]|"
    r"^(?:上一篇|下一篇|相关链接|相关文章|相关阅读|相关信息|扫一扫|分享到)\s*[:：]|^(?:扫一扫|分享到).{0,10}$|"
    r"(?:使用手机|手机扫码|用手机)?扫一扫.{0,8}(?:手机|分享)|"
    r"推荐使用.{0,20}浏览器|分辨率.{0,10}\d+\s*[*×xX]\s*\d+", re.I)
# tokens that are chrome wherever they stand; a line made only of them (and punctuation) is dropped
_CHROME_TOKENS = re.compile(
    r"(?:点击数|点击量|点击率|浏览次数|浏览量|阅读次数|阅读量|访问次数)\s*[:：]?\s*\d*|"
    r"[【\[［]?\s*字\s*[号体]\s*[:：]?\s*(?:[【\[［(（]?\s*[大中小]\s*[】\]］)）]?\s*){2,4}|"
    r"【?\s*(?:打印本页|打印此页|打印文章|打印|关闭窗口|关闭本页|关闭|收藏本页|加入收藏|收藏|返回顶部|返回|"
    r"保存本页|我要纠错|纠错|分享|视力保护色|全真版|文字版|文件下载|无障碍浏览|适老化|长者模式|繁體|简体|"
    r"默认|护眼)\s*】?|"
    r"微信|微博|QQ空间|QQ好友|腾讯微博|新浪微博|人人网|豆瓣|朋友圈|"
    r"相关链接\s*[:：]?\s*(?:-->)?|-->|<!--")
# the same tokens standing alone between spaces inside a useful line
_CHROME_WORD = re.compile(rf"(?<!\S)(?:{_CHROME_TOKENS.pattern})(?!\S)")
_PUNCT_ONLY = re.compile(r"^[\s|｜/\\·•:：,，;；.。、\-—_\[\]【】()（）<>《》]*$")

# --- metadata ----------------------------------------------------------------------------------------------------
_META_NAMES = {
    "articletitle": "title", "title": "title", "dc.title": "title", "og:title": "title",
    "pubdate": "published", "publishdate": "published", "firstpublishedtime": "published", "dc.date": "published",
    "article:published_time": "published", "dcterms.created": "published", "createdate": "published",
    "contentsource": "content_source", "source": "content_source", "dc.publisher": "content_source",
    "columnname": "column", "columntype": "column_type", "keywords": "keywords", "description": "description",
    "sitename": "site", "og:site_name": "site", "url": "url", "og:url": "url", "author": "author",
}
_VISIBLE_META = (
    ("published", re.compile(r"(?:发布|公开|成文|印发|生成)(?:时间|日期)\s*[:：]\s*"
                              r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)")),
    ("date", re.compile(r"(?<![发布开文发成])(?:时间|日期)\s*[:：]\s*"
                        r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)")),
    ("content_source", re.compile(r"(?:来源|信息来源|文章来源)\s*[:：]\s*([^\s:：|｜]{2,40})")),
    ("issuer_label", re.compile(r"(?:发布机构|发文机关|发布单位|制发机关|公开主体)\s*[:：]\s*([^\s:：|｜]{2,40})")),
)


def read_html(data: bytes, name: str) -> Document:
    source = _XML_DECLARATION.sub("", decode_html(data), count=1)  # an XML declaration is no content
    source = _CONTROL_CHARS.sub("", source)  # NULs and other C0 controls: damage, and libxml2 refuses them
    source = shallow_html(source)  # deeper than the parser keeps: formatting tags dropped, or refused
    marked = _hanweb_content(source)
    root = _document(source if source.strip() else "<p></p>")
    meta = page_meta(root)
    _drop_junk(root)
    body = _find_child(root, "body")
    if body is None:
        body = root
    for key, value in _visible_meta(body).items():
        meta.setdefault(key, value)  # <meta> tags are the CMS's own fields: they win over page text

    if marked is not None:
        marked_root = _document(marked)
        content = _find_child(marked_root, "body")
        if content is None:
            content = marked_root
        _drop_junk(content)
    else:
        densest = _densest(body)
        content = _marked_container(root)
        # a CMS marker that holds under half of the page's main text wraps only part of the report (tables or
        # later pages placed outside it): the density choice is safer then
        if content is None:
            content = densest
        elif _own_text_len(content) < 0.5 * _own_text_len(densest):
            while densest is not None and not _contains(densest, content):
                densest = densest.parent  # the smallest element holding both
            content = densest if densest is not None else content

    title = meta.get("title")
    page_title_el = _title_element(body, title)
    placed: list[tuple[int, str]] = []
    lines, tables = render(content, placed)
    if page_title_el is not None and not _contains(content, page_title_el):
        heading = _inline_text(page_title_el)
        if heading and heading not in lines[:3]:
            lines.insert(0, heading)
            placed = [(at + 1, src) for at, src in placed]
    if "title" not in meta and page_title_el is not None:
        meta["title"] = _inline_text(page_title_el)
    text = "\n".join(lines)
    if not text.strip():
        raise ReadError("HTML 页面没有正文文字（可能用了框架，或内容由脚本加载）")
    images = list(dict.fromkeys(img.get("src").strip() for img in iter_tags(content, "img")
                                if (img.get("src") or "").strip()))
    image_lines: dict[str, int] = {}
    for at, src in placed:
        image_lines.setdefault(src, at)
    return Document(text=text, source=name, format="html", tables=tables, meta=meta, images=images,
                    image_lines=image_lines)


def decode_html(data: bytes) -> str:
    """Bytes → str: the page's own <meta charset> when it decodes cleanly (GBK/GB2312 read as GB18030, their
    superset), otherwise the same detection as for text files."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        m = _CHARSET.search(data[:4096])
        if m:
            declared = m.group(1).decode("ascii", "ignore").lower()
            if declared in ("gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936", "hz-gb-2312", "euc-cn"):
                declared = "gb18030"
            try:
                return normalize_newlines(data.decode(declared))
            except (LookupError, UnicodeDecodeError):
                pass
    return normalize_newlines(decode_text(data)[0])


def _document(source: str):
    """The page's <html> element, parsed by Beautiful Soup over lxml (read/soup.py)."""
    from lxml import etree

    root = root_element(parse(source))
    if root is None:  # nothing but comments or junk: what lxml.html says of a document without an element
        raise etree.ParserError("Document is empty")
    return root


def _find_child(el, name: str):
    return next((c for c in child_tags(el) if c.name == name), None)


# ---------------------------------------------------------------------------------------------------------------
# Finding the content


def _hanweb_content(source: str) -> str | None:
    begin = _HANWEB_BEGIN.search(source)
    if not begin:
        return None
    end = _HANWEB_END.search(source, begin.end())
    chunk = source[begin.end(): end.start() if end else len(source)]
    return chunk if chunk.strip() else None


def _drop_junk(root) -> None:
    for node in [n for n in root.descendants if isinstance(n, NavigableString) and not is_text(n)]:
        _remove(node)  # comments, processing instructions
    for el in list(iter_tags(root, *_JUNK_TAGS)):
        _remove(el)
    for el in list(iter_tags(root)):
        if el.name in ("html", "body", "table", "tr", "td", "th", "tbody"):
            continue
        names = f"{el.get('id', '')} {el.get('class', '')}"
        if names.strip() and any(_CHROME_NAME.match(tok) for tok in _name_tokens(names)) and not _holds_much(el):
            _remove(el)


def _name_tokens(names: str) -> list[str]:
    out = []
    for word in names.split():
        out.append(word)
        out.extend(t for t in re.split(r"[-_]|(?<=[a-z])(?=[A-Z])|\d+", word) if t)
    return out


def _holds_much(el) -> bool:
    """A container named 'side'/'links' that still holds a whole report (badly named wrappers exist)."""
    return _own_text_len(el) > 1500


def _remove(el) -> None:
    """Take ``el`` out of the tree, keeping the text that followed it; the text before and after it becomes one
    string again, as it would be in a tree built without ``el`` (text pieces are measured one by one)."""
    if el.parent is None:
        return
    before, after = el.previous_sibling, el.next_sibling
    el.extract()
    if is_text(before) and is_text(after):
        before.replace_with(NavigableString(before + after))
        after.extract()


def _marked_container(root):
    elements = list(iter_tags(root))
    for attr, value in _CONTENT_SELECTORS:
        if attr == "class":
            found = [el for el in elements if value in _XML_SPACE.split(el.get("class") or "")]
        else:
            found = [el for el in elements if el.get("id") == value]
        found = [el for el in found if _own_text_len(el) >= 50]
        if found:
            return max(found, key=_own_text_len)
    return None


def _densest(body):
    """Step from <body> into the child holding the text while what stays behind is ≤ 10 % of it."""
    node = body
    while True:
        total = _own_text_len(node)
        children = child_tags(node)
        if not children or total == 0:
            return node
        if node.name == "table" and _is_data_table(node):
            return node
        best = max(children, key=_own_text_len)
        if total - _own_text_len(best) > 0.10 * total:
            return node
        if any(_has_sentences(c) for c in children if c is not best):
            return node  # a sibling holds report sentences (a short first paragraph): keep them together
        node = best


def _has_sentences(el) -> bool:
    """Prose, not chrome: 40+ characters of non-link text with a full stop."""
    text = "".join(texts(el))
    for a in iter_tags(el, "a"):
        for t in texts(a):
            text = text.replace(t, "", 1)
    text = _squash(text)
    return len(text) >= 40 and "。" in text


def _own_text_len(el) -> int:
    """Visible characters under el that are not link text."""
    total = 0
    for t in texts(el):
        total += len(t.strip())
    for a in iter_tags(el, "a"):
        total -= sum(len(t.strip()) for t in texts(a))
    return max(total, 0)


def _title_element(body, title: str | None):
    """The heading that shows the article title: an h1–h3 (or element with class/id 'title') whose text matches
    the page's title metadata, else the first h1."""
    want = _squash(title or "")
    document = body  # like XPath's //, the search covers the whole document, not only <body>
    while document.parent is not None:
        document = document.parent
    if want:
        for el in iter_tags(document):
            if el.name in ("h1", "h2", "h3") or "title" in (el.get("class") or "") or "title" in (el.get("id") or ""):
                t = _squash(_inline_text(el))
                if len(t) >= 6 and (t in want or want in t):
                    return el
    h1 = first_tag(document, "h1")
    return h1 if h1 is not None and len(_inline_text(h1)) >= 6 else None


def _contains(container, el) -> bool:
    while el is not None:
        if el is container:
            return True
        el = el.parent
    return False


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


# ---------------------------------------------------------------------------------------------------------------
# Rendering: element → lines and tables


class _Rows(str):
    """Rendered table rows in the chunk stream (kept apart from text, which gets whitespace-collapsed)."""


def render(el, placed: list[tuple[int, str]] | None = None) -> tuple[list[str], list[Table]]:
    """The element's lines and data tables.  ``placed`` gets (line index, src) of each ``<img>`` with a src, in
    page order: the picture stands before that line (after the line it sits in)."""
    chunks: list[str] = []  # text pieces (_BREAK ends a line; source newlines are only whitespace) and _Rows
    tables: list[Table] = []
    srcs: list[str] = []
    _walk(el, chunks, tables, srcs)
    lines: list[str] = []
    pending: list[str] = []
    found = iter(srcs)

    def flush() -> None:
        for line in "".join(pending).split(_BREAK):
            pictures = line.count(_IMG)
            line = _collapse(line.replace(_IMG, "")) if pictures else _collapse(line)
            if line and not _is_chrome(line):
                line = _strip_chrome_tokens(line)
                if line:
                    lines.append(line)
            if placed is not None:
                placed.extend((len(lines), next(found)) for _ in range(pictures))
        pending.clear()

    for chunk in chunks:
        if isinstance(chunk, _Rows):
            flush()
            lines.extend(chunk.split("\n"))
        else:
            pending.append(chunk)
    flush()
    return lines, tables


def _walk(el, out: list[str], tables: list[Table], srcs: list[str]) -> None:
    tag = el.name
    if tag == "br":
        out.append(_BREAK)
        return
    if tag == "img":
        src = (el.get("src") or "").strip()
        if src:
            out.append(_IMG)
            srcs.append(src)
        return
    if tag == "table" and _is_data_table(el):
        table = _table(el)
        tables.append(table)
        out.append(_Rows("\n".join(table_lines(table))))
        return
    block = tag in _BLOCK_TAGS
    if block:
        out.append(_BREAK)
    for child in el.contents:
        if isinstance(child, Tag):
            _walk(child, out, tables, srcs)
        elif is_text(child):
            out.append(child)
    if block:
        out.append(_BREAK)


def _collapse(line: str) -> str:
    line = line.replace("\xa0", " ")
    line = _SEGMENT_BREAK.sub("", line)
    return _SPACES.sub(" ", line).strip(" \u3000")


def _is_chrome(line: str) -> bool:
    if len(line) > 150:
        return False
    if _CHROME_LINE.search(line):
        return True
    return bool(_PUNCT_ONLY.match(_CHROME_TOKENS.sub("", line))) and bool(_CHROME_TOKENS.search(line))


def _strip_chrome_tokens(line: str) -> str:
    """Chrome glued to a useful line ('发布时间：2022-02-08 浏览次数：35 字号：大 中 小'): keep the useful part."""
    if len(line) > 150 or not re.search(r"点击|浏览|阅读|访问|字\s*号|打印|关闭|微信|微博|QQ|-->|<!--", line):
        return line
    if not re.search(r"发布|时间|日期|来源|作者|-->|<!--", line):
        return line  # only the page's info line is trimmed; report sentences that mention 微博 stay whole
    stripped = _CHROME_WORD.sub(" ", line)
    return _SPACES.sub(" ", stripped).strip(" \u3000|｜")


# ---------------------------------------------------------------------------------------------------------------
# Tables


def _is_data_table(el) -> bool:
    if el is None or el.name != "table" or first_tag(el, "table") is not None:
        return False
    rows = _rows(el)
    if len(rows) < 2:
        return False
    if max((sum(_span(c, "colspan") for c in row) for row in rows), default=0) < 2:
        return False
    # statistics cells are labels and figures; a cell holding paragraphs means the table is page layout
    return all(len(_squash(text_content(c))) <= _MAX_CELL_CHARS for row in rows for c in row)


def _rows(table) -> list:
    rows = []
    for tr in iter_tags(table, "tr"):
        rows.append([c for c in child_tags(tr) if c.name in ("td", "th")])
    return [r for r in rows if r]


def _table(el) -> Table:
    rows = []
    for tr_cells in _rows(el):
        rows.append([Cell(_cell_text(c), rowspan=_span(c, "rowspan"), colspan=_span(c, "colspan")) for c in tr_cells])
    return Table(rows=rows)


def _cell_text(cell) -> str:
    chunks: list[str] = []
    _walk_cell(cell, chunks)
    lines = [_collapse(line) for line in "".join(chunks).split(_BREAK)]
    return join_cell_lines("\n".join(line for line in lines if line))


def _walk_cell(el, out: list[str]) -> None:
    tag = el.name
    if tag == "br":
        out.append(_BREAK)
        return
    block = tag in _BLOCK_TAGS and tag not in ("td", "th")
    if block:
        out.append(_BREAK)
    for child in el.contents:
        if isinstance(child, Tag):
            _walk_cell(child, out)
        elif is_text(child):
            out.append(child)
    if block:
        out.append(_BREAK)


def _span(cell, attr: str) -> int:
    m = re.match(r"\s*(\d+)", cell.get(attr) or "")
    return max(1, min(int(m.group(1)), 1000)) if m else 1


def _inline_text(el) -> str:
    return _collapse(text_content(el))


# ---------------------------------------------------------------------------------------------------------------
# Metadata


def page_meta(root) -> dict[str, str]:
    meta: dict[str, str] = {}
    for m in iter_tags(root, "meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        value = _collapse(m.get("content") or "")
        ours = _META_NAMES.get(key)
        if ours and value and ours not in meta:
            meta[ours] = value
    title = first_tag(root, "title")
    if title is not None:
        text = _collapse(text_content(title))
        if text:
            meta["html_title"] = text
            if "title" not in meta:
                meta["title"] = _title_part(text)
    return meta


def _title_part(html_title: str) -> str:
    """'报告标题_某某区人民政府网' → the part before the site name (the first part of six or more characters)."""
    parts = [p.strip() for p in re.split(r"\s*(?:_|\||｜|－|—|–|(?<!\d)-(?!\d))\s*", html_title) if p.strip()]
    return next((p for p in parts if len(p) >= 6), html_title)


def _visible_meta(body) -> dict[str, str]:
    """发布时间 / 来源 / 发布机构 as shown on the page (first occurrence, raw strings)."""
    text = _collapse(" ".join(texts(body)))[:20000]
    found: dict[str, str] = {}
    for key, pattern in _VISIBLE_META:
        m = pattern.search(text)
        if m:
            found[key] = m.group(1).strip()
    if "published" not in found and "date" in found:
        found["published"] = found["date"]
    found.pop("date", None)
    return found
