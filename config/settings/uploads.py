"""Settings for uploads (star-imported at the end of base.py). Values that differ per deployment come from the environment.

Every image or PDF a user uploads passes `fangxin.core.uploads.check` (docs/security.md, "upload attacks").
The count and per-file size of evidence stay FANGXIN_EVIDENCE_MAX_FILES / FANGXIN_EVIDENCE_MAX_BYTES (base.py).
"""

import os

# Pillow refuses to decode an image larger than this many pixels (a 1 KB PNG can claim 50 000 × 50 000 pixels and
# take gigabytes of memory to decode: a "decompression bomb"). 40 MP covers any phone camera.
FANGXIN_UPLOAD_MAX_IMAGE_PIXELS = int(os.environ.get("FANGXIN_UPLOAD_MAX_IMAGE_PIXELS", str(40_000_000)))
# A PDF with more pages than this is refused (evidence is a receipt or a few scanned pages, not a book).
FANGXIN_UPLOAD_PDF_MAX_PAGES = int(os.environ.get("FANGXIN_UPLOAD_PDF_MAX_PAGES", "100"))
# Absolute ceiling for any single uploaded file, whatever the site's own limit.
FANGXIN_UPLOAD_MAX_BYTES = int(os.environ.get("FANGXIN_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# JPEG/WebP quality used when an image is re-encoded to strip its metadata.
FANGXIN_UPLOAD_IMAGE_QUALITY = 90
