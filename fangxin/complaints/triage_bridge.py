"""The complaints app's one door to the triage capability (sector, problem types, masking)."""

import logging

log = logging.getLogger(__name__)


def suggest(text: str) -> dict:
    """{"sector", "problem_types", "department", "confidence", "evidence"} for a complaint text ({} if none)."""
    try:
        from fangxin.triage.classifier import classify
    except ImportError:
        return {}
    try:
        result = classify(text)
    except Exception:  # a triage failure must never block intake; staff classify by hand then
        log.exception("triage failed")
        return {}
    data = result if isinstance(result, dict) else result.as_dict()
    return {key: data.get(key) for key in ("sector", "problem_types", "department", "confidence", "evidence")}


def mask_text(text: str) -> str:
    """Personal information replaced by hints (138****1234, 王**), for anything public or exported."""
    from fangxin.triage.masking import mask_text as triage_mask

    return triage_mask(text or "")


def record_correction(*, actor, text: str, predicted: dict, sector: str, problem_types: list[str],
                      source_ref: str) -> None:
    try:
        from fangxin.triage.services import triage_correction_record
    except ImportError:
        return
    triage_correction_record(actor=actor, text=text, predicted=predicted, sector=sector,
                             problem_types=problem_types, source_ref=source_ref)
