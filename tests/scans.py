"""Scanned copies of text PDFs for the OCR tests and bench: pages rendered to images and rebuilt image-only."""

from __future__ import annotations

import io


def scanned_copy(data: bytes, scale: float = 2.0, pages: list[int] | None = None) -> bytes:
    """A copy of ``data`` whose given (1-based) pages (default: all) are grey bitmaps at ``scale`` px per pt with no
    text layer, as a scanner makes them; the other pages stay as they were (a report with a scanned attachment)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(data)
    scan = set(pages or range(1, len(src) + 1))
    out = pdfium.PdfDocument.new()
    for number in range(1, len(src) + 1):
        if number not in scan:
            out.import_pages(src, [number - 1], index=len(out))
            continue
        page = src[number - 1]
        width, height = page.get_size()
        bitmap = page.render(scale=scale, grayscale=True)
        new = out.new_page(width, height)
        image = pdfium.PdfImage.new(out)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        new.insert_obj(image)
        new.gen_content()
        page.close()
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()
