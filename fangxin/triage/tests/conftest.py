"""One model trained per test session into a temporary directory (never var/triage/), shared by the tests."""

import shutil

import pytest

from fangxin.triage import classifier
from fangxin.triage import model as triage_model


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory):
    """A directory holding a model trained from the corpus (once per session, ~15 s)."""
    from django.conf import settings

    directory = tmp_path_factory.mktemp("triage-model")
    previous = getattr(settings, "FANGXIN_TRIAGE_DIR", None)
    settings.FANGXIN_TRIAGE_DIR = directory
    try:
        triage_model.forget_active()
        triage_model.active_model()
    finally:
        settings.FANGXIN_TRIAGE_DIR = previous
        triage_model.forget_active()
    return directory


@pytest.fixture
def model_dir(trained_model_dir, settings):
    """The session's trained model, active for this test."""
    settings.FANGXIN_TRIAGE_DIR = trained_model_dir
    triage_model.forget_active()
    classifier.forget_reference()
    yield trained_model_dir
    triage_model.forget_active()
    classifier.forget_reference()


@pytest.fixture
def private_model_dir(trained_model_dir, settings, tmp_path):
    """A copy of the trained model that this test may retrain, tamper with or delete."""
    directory = tmp_path / "triage"
    shutil.copytree(trained_model_dir, directory)
    settings.FANGXIN_TRIAGE_DIR = directory
    triage_model.forget_active()
    classifier.forget_reference()
    yield directory
    triage_model.forget_active()
    classifier.forget_reference()
