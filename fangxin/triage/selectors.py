"""Triage reads for staff: the model in use and its scores, the recorded versions, recent corrections."""

from django.db.models import QuerySet

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core.exceptions import NotFound

from . import model as triage_model
from .models import TriageCorrection, TriageModelVersion

READER_ROLES = STAFF_ROLES | AUDIT_READERS


def can_read_triage(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in READER_ROLES


def _check(user) -> None:
    if not can_read_triage(user):
        raise NotFound()


def current_model_scores(*, user) -> dict:
    """The model in use: version, when trained, its dev-split scores, training size, artifact hash."""
    _check(user)
    model = triage_model.active_model()
    manifest = triage_model.read_manifest()
    meta = model.meta
    scores = meta.get("scores", {})
    return {"version": model.version, "trained_at": meta.get("trained_at", ""), "scores": scores,
            "n_train": scores.get("n_train", 0), "n_dev": scores.get("n_dev", 0),
            "n_corrections": meta.get("n_corrections", 0), "artifact": manifest["file"],
            "artifact_sha256": manifest["sha256"], "thresholds": [round(float(t), 3) for t in model.thresholds]}


def model_versions(*, user) -> QuerySet[TriageModelVersion]:
    _check(user)
    return TriageModelVersion.objects.all()


def corrections_list(*, user) -> QuerySet[TriageCorrection]:
    """Recorded corrections, newest first (texts are stored masked)."""
    _check(user)
    return TriageCorrection.objects.all()
