"""Images → text by offline OCR: scanned PDF pages, JPG/PNG attachments, statistics tables embedded as ``<img>``.

The engine is RapidOCR (PP-OCR models run by ONNX Runtime; the ``rapidocr-onnxruntime`` wheel ships its models, so
nothing is downloaded at run time).  Chosen on bench/ocr_engines.py against Debian's tesseract-ocr + chi_sim on the
rendered pages of the real PDFs, compared with their text layer (figures in bench/README.md): RapidOCR made far
fewer character errors, in digits especially; tesseract is kept here only as the bench's comparison engine.

What OCR gives is a set of text boxes; ``boxes.layout_lines`` puts them back in reading order, table cells as tab
rows, so a scanned statistics table reaches the table reader as a PDF table does.
OCR'd text can be wrong; ``Document.meta['ocr']`` names the engine so the parse stage warns and keeps only table
figures that pass the table's own sum rules.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import logging
import subprocess
from typing import Mapping, Sequence

from indexer.model import Document, PageImage, ReadError
from indexer.read.boxes import Box, layout_lines

log = logging.getLogger(__name__)

# Pages are rendered at this many pixels per PDF point (×72 = dpi).  2.0 (144 dpi) puts 10.5–16 pt report text at
# 30–45 px per line, inside the recogniser's 48 px input height; a guess checked on bench/ocr_engines.py, not tuned.
RENDER_SCALE = 2.0
# Images smaller than this (either side, px) are icons, bullets or spacers, not pages of text.
MIN_IMAGE_SIDE = 200
# Decompression-bomb guard: a scan of an A4 page at 300 dpi is ≈ 8.7 Mpx.
MAX_IMAGE_PIXELS = 60_000_000

ENGINE = "rapidocr"
# What a table cell OCR saw nothing in is written as: not a figure, so the table reader cannot take it for 0.
UNSEEN = "?"
# The recogniser sometimes returns a full-width digit (４) for a figure standing alone in a cell.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class OcrUnavailable(ReadError):
    """No OCR engine is installed."""


# ---------------------------------------------------------------------------------------------------------------
# Engines


@functools.lru_cache(maxsize=1)
def _rapidocr():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise OcrUnavailable("未安装 OCR 引擎（pip install rapidocr-onnxruntime，见 README）") from None
    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    return RapidOCR()


def _boxes_rapidocr(image) -> list[Box]:
    import numpy as np

    result, _ = _rapidocr()(np.asarray(image.convert("RGB")))
    out = []
    for quad, text, score in result or ():
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        out.append(Box(text.translate(_FULLWIDTH_DIGITS), min(xs), min(ys), max(xs), max(ys), float(score)))
    return out


def _boxes_tesseract(image) -> list[Box]:
    """Debian tesseract-ocr + tesseract-ocr-chi-sim through its command line (TSV: one row per word)."""
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="PNG")
    try:
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "3", "tsv"],
                              input=buf.getvalue(), capture_output=True, timeout=600, check=True)
    except FileNotFoundError:
        raise OcrUnavailable("未安装 tesseract（apt-get install tesseract-ocr tesseract-ocr-chi-sim）") from None
    lines: dict[tuple[str, ...], list[list[str]]] = {}
    for row in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        f = row.split("\t")
        if len(f) == 12 and f[0] == "5" and f[11].strip():
            lines.setdefault(tuple(f[1:5]), []).append(f)
    out = []
    for words in lines.values():
        # tesseract splits Chinese into one "word" per character; a box per word keeps wide gaps (cells) visible
        for f in words:
            x, y, w, h = (float(v) for v in f[6:10])
            out.append(Box(f[11], x, y, x + w, y + h, float(f[10]) / 100))
    return _merge_close(out)


def _merge_close(boxes: list[Box]) -> list[Box]:
    """Merge word boxes of one line that nearly touch, so that only real gaps remain between boxes."""
    out: list[Box] = []
    for b in sorted(boxes, key=lambda b: (round(b.cy / max(b.height, 1)), b.x0)):
        if out:
            p = out[-1]
            if abs(p.cy - b.cy) <= max(p.height, b.height) * 0.5 and 0 <= b.x0 - p.x1 <= max(p.height, b.height):
                sep = " " if p.text[-1:].isascii() and b.text[:1].isascii() and p.text[-1:].isalpha() else ""
                out[-1] = Box(p.text + sep + b.text, p.x0, min(p.y0, b.y0), b.x1, max(p.y1, b.y1),
                              min(p.score, b.score))
                continue
        out.append(b)
    return out


_ENGINES = {"rapidocr": _boxes_rapidocr, "tesseract": _boxes_tesseract}


def recognise(image, engine: str = ENGINE) -> list[Box]:
    """The text boxes OCR finds on one PIL image."""
    return _ENGINES[engine](image)


def image_text(image, engine: str = ENGINE) -> str:
    """One image's text in reading order, table cells tab-separated."""
    return "\n".join(layout_lines(recognise(image, engine), blank=UNSEEN))


def render_page(page, scale: float = RENDER_SCALE):
    """A pypdfium2 page as a PIL image for OCR."""
    return page.render(scale=scale, grayscale=True).to_pil()


# ---------------------------------------------------------------------------------------------------------------
# Image files (JPG/PNG/…) as documents


def read_image(data: bytes, name: str) -> Document:
    """An image attachment (a photographed or scanned report page, a statistics table saved as a picture)."""
    image = open_image(data)
    text = image_text(image)
    if not text.strip():
        raise ReadError("图片中没有 OCR 能识别的文字")
    return Document(text=text, source=name, format="image", meta={"ocr": ENGINE, "pages": "1"})


def open_image(data: bytes):
    image = load_image(data)
    if min(image.size) < MIN_IMAGE_SIDE // 4:
        raise ReadError(f"图片太小（{image.size[0]}×{image.size[1]} 像素），不可能含有文字")
    return image


def load_image(data: bytes):
    """The bytes as a PIL image (any size); ReadError when they are no image Pillow reads, or a decompression bomb."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as e:
        raise ReadError(f"无法读取图片（{type(e).__name__}）") from None
    return image


def add_image_text(doc: Document, fetched: Mapping[str, bytes]) -> Document:
    """``add_page_images`` for images given as src → bytes."""
    return add_page_images(doc, [PageImage(src, data) for src, data in fetched.items()])


def add_page_images(doc: Document, images: Sequence[PageImage] = ()) -> Document:
    """The page with the OCR text of the images in its content (``doc.images``, in page order) appended, so that
    statistics tables a page prints as pictures are searchable and fill in the fields its HTML lacks; the text is
    marked OCR'd (the parse stage warns and keeps only table figures the tables' own rules confirm).

    ``images`` is what the page's collector got for each src — bytes, or why there are none; ``data:`` URIs are
    decoded here.  An image that could not be had or read becomes a warning on the document, never an error; icons,
    pictures without text and images nobody collected are passed over.  At most ``limits().page_images`` of the
    page's images are read (the collectors take the same first ones); more are one warning."""
    from indexer.limits import limits

    allowed = limits().page_images
    got = {im.src: im for im in images}
    texts: list[tuple[str, str]] = []  # (src, its text)
    problems: dict[tuple[str, str], list[str]] = {}  # (what went wrong, why) → the images concerned
    for src in doc.images[:allowed]:
        im = decode_data_uri(src) if src.startswith("data:") else got.get(src)
        if im is None or is_vector(src, im.content_type):
            continue
        if im.error or not im.data:
            problems.setdefault(("未能取得", im.error or "没有内容"), []).append(src)
            continue
        try:
            image = load_image(im.data)
        except ReadError as e:
            problems.setdefault(("无法读取", str(e).removeprefix("无法读取图片").strip("（）")), []).append(src)
            continue
        if min(image.size) < MIN_IMAGE_SIDE:
            continue  # an icon, a bullet, a spacer: no table
        try:
            text = image_text(image)
        except OcrUnavailable as e:  # the page still counts, without its pictures' text
            problems.setdefault(("未做 OCR", str(e)), []).append(src)
            continue
        except Exception as e:  # an OCR engine failure costs this picture, not the report
            log.exception("OCR failed on %s of %s", src[:100], doc.source)
            problems.setdefault(("OCR 出错", type(e).__name__), []).append(src)
            continue
        if text.strip():
            texts.append((src, text))
    warnings = [f"页面图片{what}：{_names(srcs)}（{why}）" for (what, why), srcs in problems.items()]
    if len(doc.images) > allowed and (got or any(src.startswith("data:") for src in doc.images[:allowed])):
        # (said only when pictures were collected at all: a saved page without its pictures misses every one)
        warnings.append(f"页面正文中另有 {len(doc.images) - allowed} 张图片未读取（每页最多读取 {allowed} 张）")
    for w in warnings:
        log.warning("%s: %s", doc.source, w)
    if not texts and not warnings:
        return doc
    meta = dict(doc.meta, ocr=ENGINE, ocr_images=str(len(texts))) if texts else doc.meta
    return dataclasses.replace(doc, text=_placed(doc, texts), meta=meta, warnings=[*doc.warnings, *warnings])


def _placed(doc: Document, texts: list[tuple[str, str]]) -> str:
    """The page's text with each picture's text where the picture stands (a table picture in its section), or at
    the end for a picture whose place the reader did not record."""
    if not texts:
        return doc.text
    lines = doc.text.split("\n")
    at: dict[int, list[str]] = {}
    for src, text in texts:
        at.setdefault(min(doc.image_lines.get(src, len(lines)), len(lines)), []).append(text)
    out: list[str] = []
    for i in range(len(lines) + 1):
        out.extend(at.get(i, ()))
        if i < len(lines):
            out.append(lines[i])
    return "\n".join(out)


def _names(srcs: list[str]) -> str:
    """The images a warning is about, by their file names: a.png、b.png 等 5 张."""
    names = ["data: URI" if s.startswith("data:") else (s.split("?")[0].rstrip("/").rsplit("/", 1)[-1] or s)[:60]
             for s in srcs]
    return "、".join(names[:3]) + (f" 等 {len(names)} 张" if len(names) > 3 else "")


def is_vector(src: str, content_type: str | None = None) -> bool:
    """An SVG picture: drawn, not printed; OCR does not read it (icons, logos)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    return ctype == "image/svg+xml" or src.split("?")[0].lower().endswith(".svg") or src[:20].lower().startswith(
        "data:image/svg")


def decode_data_uri(src: str) -> PageImage:
    """A ``data:image/png;base64,…`` image written into the page itself."""
    import base64
    import binascii
    from urllib.parse import unquote_to_bytes

    from indexer.limits import limits

    head, comma, payload = src.partition(",")
    ctype = head[5:].split(";")[0].strip().lower() or None
    if not comma:
        return PageImage(src, content_type=ctype, error="data: URI 没有内容")
    if len(payload) * 3 // 4 > limits().image_bytes:
        return PageImage(src, content_type=ctype, error=f"图片超过 {limits().image_bytes:,} 字节")
    try:
        data = (base64.b64decode("".join(payload.split()), validate=False) if head.lower().endswith(";base64")
                else unquote_to_bytes(payload))
    except (binascii.Error, ValueError):
        return PageImage(src, content_type=ctype, error="data: URI 的 base64 内容有误")
    return PageImage(src, data, ctype)
