"""Attachment files: PDF, images, Word and Excel documents, checked by the shared upload checker
(fangxin.core.uploads): recognised by their content and their extension together, never by the name alone."""

from fangxin.core import uploads

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024


def check(upload) -> uploads.CheckedUpload:
    """The acceptable upload (its `file` holds the bytes to store under a random name); ValidationFailed otherwise."""
    return uploads.check(upload, allowed=uploads.DOCUMENTS, max_bytes=MAX_BYTES, field="file")
