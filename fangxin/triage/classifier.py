"""Complaint triage: sector, problem types, the handling department, a confidence and the evidence.

    from fangxin.triage.classifier import classify
    result = classify("在网上买的牛奶……")      # a Triage
    result.as_dict()                          # {"sector", "problem_types", "department", "confidence", "evidence", …}

The model (`model.py`) is a logistic regression over jieba words, character n-grams and the keyword rules of
`rules.py`; the evidence lists the rules and words that weighed most for the chosen sector and problem types.
The department is the sector's lead department from the organisation reference data: the `Sector` table when the
database has it, otherwise `data/reference/sectors.csv` and `departments.csv` (so the command works without a
migrated database).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import masking
from .choices import ProblemType
from .extract import Extracted, extract
from .features import features
from .model import active_model
from .rules import RULES_BY_NAME, SECTOR_LEXICON

EVIDENCE_ITEMS = 6
NO_EVIDENCE = "文本中没有可识别的内容，结果仅供参考，请人工判断"
_WORDY = re.compile(r"[\w]+")


@dataclass(frozen=True)
class Department:
    code: str
    name: str


@dataclass
class Triage:
    sector: str
    sector_name: str
    problem_types: list[str]
    problem_type_names: list[str]
    department: str  # code of the lead department (the first one when a sector has several)
    department_name: str
    lead_departments: list[Department]
    confidence: float  # probability of the chosen sector, 0–1
    evidence: list[str]
    extracted: Extracted = field(default_factory=Extracted)
    model_version: int = 0

    def as_dict(self) -> dict:
        return {"sector": self.sector, "sector_name": self.sector_name, "problem_types": self.problem_types,
                "problem_type_names": self.problem_type_names, "department": self.department,
                "department_name": self.department_name,
                "lead_departments": [{"code": d.code, "name": d.name} for d in self.lead_departments],
                "confidence": self.confidence, "evidence": self.evidence, "extracted": self.extracted.as_dict(),
                "model_version": self.model_version}

    def as_line(self) -> dict:
        """The `fangxin triage --jsonl` contract (without the id)."""
        return {"sector": self.sector, "problem_types": self.problem_types, "department": self.department,
                "confidence": self.confidence, "evidence": self.evidence}


# --- reference data: sector names and lead departments ----------------------------------------------------------

_reference_lock = threading.Lock()
_csv_reference: dict | None = None


def _reference_from_csv() -> dict:
    global _csv_reference
    if _csv_reference is None:
        with _reference_lock:
            from django.conf import settings

            from fangxin.organisation.reference import parse_departments, parse_sectors

            directory = Path(settings.FANGXIN_REFERENCE_DIR)
            departments = {row.code: row.name for row in parse_departments(directory / "departments.csv")}
            sectors = parse_sectors(directory / "sectors.csv", set(departments))
            _csv_reference = {row.code: (row.name, [Department(code, departments[code]) for code in row.lead])
                              for row in sectors}
    return _csv_reference


REFERENCE_TTL = 60.0  # seconds a process keeps the sector table before asking the database again
_db_reference: dict = {"table": None, "at": -REFERENCE_TTL}


def _reference_from_db() -> dict | None:
    """{code: (name, lead departments)} from the Sector table, or None when there is no usable database."""
    from django.db import DatabaseError

    try:
        from fangxin.organisation.models import Sector

        sectors = list(Sector.objects.prefetch_related("lead_departments"))
    except (DatabaseError, RuntimeError):  # not migrated, no server, or a test without database access
        return None
    if not sectors:
        return None
    csv_reference = _reference_from_csv()
    table = {}
    for sector in sectors:
        csv_order = [d.code for d in csv_reference.get(sector.code, ("", []))[1]]
        leads = sorted((Department(d.code, d.name) for d in sector.lead_departments.all()),
                       key=lambda d: (csv_order.index(d.code) if d.code in csv_order else len(csv_order), d.code))
        table[sector.code] = (sector.name, leads)
    return table


def sector_reference(code: str) -> tuple[str, list[Department]]:
    """(sector name, lead departments): the database's Sector when it is there, else the reference CSV."""
    import time

    now = time.monotonic()
    if now - _db_reference["at"] > REFERENCE_TTL:
        _db_reference.update(table=_reference_from_db(), at=now)
    table = _db_reference["table"] or _reference_from_csv()
    return table.get(code) or _reference_from_csv().get(code, (code, []))


def forget_reference() -> None:
    _db_reference.update(table=None, at=-REFERENCE_TTL)


# --- classification ----------------------------------------------------------------------------------------------

def classify(text: str, *, with_extraction: bool = True) -> Triage:
    """Triage one complaint text. Empty or meaningless text still gets an answer (low confidence, evidence says so)."""
    text = text if isinstance(text, str) else ""
    model = active_model()
    feats = features(text)
    sector_prob, problem_prob, indexes, weights = model.score(feats)
    sector_index = int(sector_prob.argmax())
    sector = model.sectors[sector_index]
    problem_types = model.pick_problem_types(problem_prob)
    evidence = _evidence(model, text, indexes, weights, sector_index,
                         [model.problem_types.index(code) for code in problem_types])
    name, leads = sector_reference(sector)
    labels = dict(ProblemType.choices)
    extracted = extract(text) if with_extraction else Extracted()
    return Triage(sector=sector, sector_name=name, problem_types=problem_types,
                  problem_type_names=[labels.get(code, code) for code in problem_types],
                  department=leads[0].code if leads else "", department_name=leads[0].name if leads else "",
                  lead_departments=leads, confidence=round(float(sector_prob[sector_index]), 4), evidence=evidence,
                  extracted=extracted, model_version=model.version)


def _evidence(model, text: str, indexes: np.ndarray, weights: np.ndarray, sector_index: int,
              problem_indexes: list[int]) -> list[str]:
    """The features that pushed hardest toward the chosen sector and problem types, readably."""
    items: list[str] = []
    if len(indexes) == 0:
        return [NO_EVIDENCE]
    _add_readable(items, model, text, indexes, model.sector_coef[sector_index, indexes] * weights, EVIDENCE_ITEMS)
    for problem_index in problem_indexes:
        _add_readable(items, model, text, indexes, model.problem_coef[problem_index, indexes] * weights, 2)
    return items[:EVIDENCE_ITEMS + 2 * len(problem_indexes)] or [NO_EVIDENCE]


def _add_readable(items: list[str], model, text: str, indexes: np.ndarray, contributions: np.ndarray, wanted: int):
    """Append up to `wanted` readable labels of the positively contributing features, strongest first; features a
    person can't read as a reason (single characters, digit runs) are passed over, looking a few places further."""
    added = 0
    for position in np.argsort(-contributions)[:wanted * 4]:
        if added == wanted or contributions[position] <= 0:
            break
        label = _readable(model.terms[int(indexes[position])], text)
        if label and label not in items:
            items.append(label)
            added += 1


def _readable(term: str, text: str) -> str:
    kind, _, value = term.partition(":")
    if kind == "R":
        rule = RULES_BY_NAME.get(value)
        return f"规则：{rule.label}" if rule else ""
    if kind == "K":
        from .rules import lexicon_hits

        hit = dict(lexicon_hits(text)).get(value)
        return f"行业词：{hit}" if hit and value in SECTOR_LEXICON else ""
    if kind in ("w", "c"):
        # one character ("车", "司") weighs in the model but explains nothing to the clerk reading the evidence
        readable = len(value) > 1 and _WORDY.fullmatch(value) and not value.isdigit()
        return f"“{value}”" if readable else ""
    return ""


def classify_many(texts, *, with_extraction: bool = False):
    """Triage texts one by one (a generator: constant memory for any number of texts)."""
    for text in texts:
        yield classify(text, with_extraction=with_extraction)


def mask(text: str) -> masking.MaskResult:
    """Re-exported for callers that import everything triage from one module."""
    return masking.mask(text)


def extract_registry_matches(result: Triage, *, user=None) -> list[dict]:
    """The business-name candidates of a triage matched against the registry (entities `user` may see)."""
    from .extract import match_registry

    return match_registry(result.extracted.business_names, user=user)
