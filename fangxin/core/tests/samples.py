"""Small, real files for tests that upload evidence: the shared upload checker (fangxin.core.uploads) decodes images
and parses PDFs, so a few magic bytes followed by zeros are no longer accepted as a picture.

PNG is a fixed point of the checker's re-encoding (stored bytes == uploaded bytes), so tests may compare sizes."""

import io

from PIL import Image


def image_bytes(fmt: str = "PNG", size=(2, 2), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save)
    return out.getvalue()


PNG = image_bytes("PNG", optimize=True)
JPEG = image_bytes("JPEG", size=(16, 16), quality=90, optimize=True)
WEBP = image_bytes("WEBP", quality=90)
# One blank A4 page; pypdf reads it without a cross-reference table.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
       b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n"
       b"startxref 0\n%%EOF\n")
