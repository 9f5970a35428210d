import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Progress attachments are stored under a per-test directory, not the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path
