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
# A request body carrying files larger than this is not read at all (the connection is dropped): no disk fills with
# a 10 GB "photo" before any view could judge it. Above every site's own limit (5 × 10 MB evidence, 20 MB imports).
FANGXIN_UPLOAD_REQUEST_MAX_BYTES = int(os.environ.get("FANGXIN_UPLOAD_REQUEST_MAX_BYTES", str(64 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "fangxin.core.uploads.RequestSizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = 20  # Django's default is 100; no form takes more than 5
