"""OFD (GB/T 33190-2016, the national e-document format) → Document: a zip of XML pages, text placed by coordinates.

No maintained Python OFD reader is on PyPI (easyofd renders to images/PDF and pulls in a PDF toolkit), and the
format's text layer is plain XML: ``OFD.xml`` → ``DocBody/DocRoot`` (``Document.xml``) → ``Pages/Page/@BaseLoc``
(each page's ``Content.xml``) → ``Layer`` → ``TextObject`` (``Boundary="x y w h"`` in mm) → ``TextCode`` (its text,
``X``/``Y`` inside the boundary).  We read that with lxml, which the HTML reader already uses, and lay the runs out
by position (``boxes.layout_lines``: lines top to bottom, wide gaps in a line as table-cell tabs).
Template pages (``TemplatePage``, running headers and footers) are read too, as a printed page shows them.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from indexer.model import Document, ReadError
from indexer.read.boxes import Box, layout_lines

# A page holding more text runs than this is a drawing of glyphs, not a report page (a guard against zip bombs too).
_MAX_RUNS_PER_PAGE = 200_000
_MAX_XML_BYTES = 50_000_000


def read_ofd(data: bytes, name: str) -> Document:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ReadError("不是 OFD 文件（不是 zip 压缩包）") from None
    with archive:
        root = _xml(archive, "OFD.xml")
        if root is None:
            raise ReadError("不是 OFD 文件（缺少 OFD.xml）")
        doc_root = _first_text(root, "DocRoot")
        if not doc_root:
            raise ReadError("OFD 文件中没有文档（OFD.xml 未指明 DocRoot）")
        doc_path = _resolve("", doc_root)
        document = _xml(archive, doc_path)
        if document is None:
            raise ReadError(f"OFD 文件缺少文档 {doc_path}")
        base = posixpath.dirname(doc_path)
        templates = {t.get("ID"): _resolve(base, t.get("BaseLoc", ""))
                     for t in _children(document, "TemplatePage") if t.get("BaseLoc")}
        pages = [p for p in _children(document, "Page") if p.get("BaseLoc")]
        texts, missing = [], []
        for number, page in enumerate(pages, 1):
            content = _xml(archive, _resolve(base, page.get("BaseLoc")))
            if content is None:
                missing.append(number)
                continue
            boxes = _page_boxes(content)
            for tpl in _children(content, "Template"):
                tpl_xml = _xml(archive, templates.get(tpl.get("TemplateID"), ""))
                if tpl_xml is not None:
                    boxes += _page_boxes(tpl_xml)
            texts.append("\n".join(layout_lines(boxes)))
        meta = _metadata(root)
    meta["pages"] = str(len(pages))
    text = "\n".join(t for t in texts if t.strip())
    if not text.strip():
        raise ReadError("OFD 文件中没有文字（页面可能是扫描图像）")
    warnings = [f"OFD 共 {len(pages)} 页，第 {'、'.join(map(str, missing))} 页在压缩包中缺失"] if missing \
        else []
    return Document(text=text, source=name, format="ofd", meta=meta, warnings=warnings)


def _page_boxes(content) -> list[Box]:
    """Every TextCode of a page (or template page) as a Box in page millimetres, top-left origin."""
    boxes: list[Box] = []
    for obj in content.iter("{*}TextObject"):
        x, y = _numbers(obj.get("Boundary", ""))[:2] or (0.0, 0.0)
        size = (_numbers(obj.get("Size", "")) or [3.5])[0]
        for code in obj.iter("{*}TextCode"):
            text = code.text or ""
            if not text.strip():
                continue
            cx = x + float(code.get("X", 0) or 0)
            base = y + float(code.get("Y", 0) or 0)  # Y is the baseline
            deltas = _deltas(code.get("DeltaX", ""))
            width = sum(deltas[: len(text) - 1]) + size if deltas else size * len(text)
            boxes.append(Box(text, cx, base - size, cx + width, base + size * 0.2))
            if len(boxes) > _MAX_RUNS_PER_PAGE:
                raise ReadError("OFD 页面上的文字片段过多，不像是报告的页面")
    return boxes


def _deltas(spec: str) -> list[float]:
    """DeltaX: advances between glyphs, with the 'g N d' shorthand (N copies of d)."""
    out: list[float] = []
    parts = spec.split()
    i = 0
    while i < len(parts):
        if parts[i] == "g" and i + 2 < len(parts):
            out += [float(parts[i + 2])] * int(float(parts[i + 1]))
            i += 3
        else:
            out.append(float(parts[i]))
            i += 1
    return out


def _numbers(spec: str) -> list[float]:
    try:
        return [float(v) for v in spec.split()]
    except ValueError:
        return []


def _metadata(root) -> dict[str, str]:
    meta = {}
    for tag, key in (("Title", "title"), ("Author", "author")):  # CreationDate is when the file was made
        value = _first_text(root, tag)
        if value and value.strip():
            meta[key] = value.strip()
    return meta


def _xml(archive: zipfile.ZipFile, path: str):
    from lxml import etree

    if not path:
        return None
    try:
        info = archive.getinfo(path)
    except KeyError:
        # names in OFD.xml are case-insensitive in practice (Doc_0 vs doc_0)
        info = next((i for i in archive.infolist() if i.filename.lower() == path.lower()), None)
        if info is None:
            return None
    if info.file_size > _MAX_XML_BYTES:
        raise ReadError(f"OFD 文件中的 {path} 过大")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    return etree.fromstring(archive.read(info), parser)


def _resolve(base: str, loc: str) -> str:
    loc = loc.strip().replace("\\", "/")
    if loc.startswith("/"):
        return posixpath.normpath(loc.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, loc)) if loc else ""


def _children(root, tag: str):
    return root.iter("{*}" + tag, tag)


def _first_text(root, tag: str) -> str | None:
    for el in _children(root, tag):
        return el.text
    return None
