"""Evidence files (complaints, titles, credit repair, objections, inspections, supervision): images or PDF, checked,
cleaned and renamed by the shared upload checker (fangxin.core.uploads), which also judges the content, not the name."""

from django.conf import settings

from fangxin.core import uploads

CheckedFile = uploads.CheckedUpload
sniff = uploads.sniff


def check(files) -> list[uploads.CheckedUpload]:
    """Every file must be a real image or PDF whose name matches what it is, within the count and size limits.

    Each result's `upload` holds the bytes to store (images re-encoded without metadata) under a random name."""
    return uploads.check_many(files, allowed=uploads.IMAGES_AND_PDF, max_files=settings.FANGXIN_EVIDENCE_MAX_FILES,
                              max_bytes=settings.FANGXIN_EVIDENCE_MAX_BYTES, field="files", noun="证据材料")
