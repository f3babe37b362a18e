"""Scanned copies of text PDFs for the OCR tests and bench: every page rendered to an image, rebuilt image-only."""

from __future__ import annotations

import io


def scanned_copy(data: bytes, scale: float = 2.0, pages: list[int] | None = None) -> bytes:
    """An image-only PDF of the given (1-based) pages of ``data``, each page a grey bitmap at ``scale`` px per pt."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(data)
    out = pdfium.PdfDocument.new()
    for number in pages or range(1, len(src) + 1):
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
