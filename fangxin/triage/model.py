"""The triage model: training with scikit-learn, export to plain arrays, safe storage and fast scoring.

Training: TF-IDF over `features.features()` (jieba words, characters and character bigrams/trigrams, keyword rules), a
one-vs-rest logistic regression for the sector and one class-weighted logistic regression per problem type,
decided at probability 0.5 and kept to two types in the fixed order of docs/triage.md 3.2 (the dev split is never
trained on and no threshold or weight is fitted to it; it scores models, for `retrain` and for accepting or rejecting
a design change such as the single characters of FORMAT 6). The fitted weights are exported to numpy arrays and
saved with `numpy.savez` (no pickle: `numpy.load(allow_pickle=False)` cannot run code). Scoring uses the arrays
directly (a sparse dot product), so classifying needs neither scikit-learn nor its per-call overhead.

Storage (`model_dir()`, by default var/triage/): `model-v<N>.npz` per version and `active.json` naming the active
file, its SHA-256 and a signature made with the project's SECRET_KEY. A model is loaded only when the manifest's
signature is valid and the file's hash matches it, so only files this project wrote are ever read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .choices import PROBLEM_TYPE_CODES, SECTOR_CODES
from .features import features, is_rule

logger = logging.getLogger(__name__)

FORMAT = 6  # bump when the features or the arrays change; older files are then retrained, never misread
MANIFEST = "active.json"
SIGNING_SALT = "fangxin.triage.model"
CORPUS_PATH = Path(__file__).resolve().parents[2] / "data" / "triage" / "corpus.jsonl"
SECTOR_C = 50.0
PROBLEM_C = 10.0
MIN_DF = 1
SOLVER = "liblinear"
MAX_PROBLEM_TYPES = 2  # docs/triage.md 3.2: at most two problem types per text
OTHER = "other"  # never together with another problem type
# docs/triage.md 3.2: the fixed order in which an annotator keeps the first two of the problem types that apply
PROBLEM_ORDER = ("safety", "personal_info", "prepaid", "no_reason_return", "false_ad", "unfair_terms", "price",
                 "quality", "contract", "after_sales", "other")
PROBLEM_THRESHOLD = 0.5  # the problem-type models are class-weighted, so 0.5 balances misses and false alarms
RULE_WEIGHT = 0.1  # the value of a matching rule feature next to the L2-normalised TF-IDF words
# The problem-type models are fitted with the rule features at this smaller value (chosen by 5-fold cross-validation
# on train and checked on dev: the rules then weigh less against the words); their rule coefficients are rescaled by
# PROBLEM_RULE_WEIGHT / RULE_WEIGHT afterwards, so scoring uses one vector with RULE_WEIGHT for both models.
PROBLEM_RULE_WEIGHT = 0.03


def features_fingerprint() -> str:
    """Hash of the code that turns text into features and of the labelled corpus: a model trained with other
    features or from another version of the corpus is never used (it is retrained from the corpus on first use;
    `fangxin triage retrain` then folds the confirmed corrections in again)."""
    digest = hashlib.sha256(str(FORMAT).encode())
    for name in ("features.py", "rules.py"):
        digest.update((Path(__file__).with_name(name)).read_bytes())
    try:
        digest.update(CORPUS_PATH.read_bytes())
    except OSError:
        digest.update(b"no corpus")
    return digest.hexdigest()[:16]


class ModelError(Exception):
    """A model file that is missing, altered or not ours."""


@dataclass
class Example:
    text: str
    sector: str
    problem_types: list[str]


@dataclass
class Scores:
    sector_accuracy: float
    sector_macro_f1: float
    problem_micro_f1: float
    n_train: int
    n_dev: int

    def as_dict(self) -> dict:
        return {"sector_accuracy": round(self.sector_accuracy, 4), "sector_macro_f1": round(self.sector_macro_f1, 4),
                "problem_micro_f1": round(self.problem_micro_f1, 4), "n_train": self.n_train, "n_dev": self.n_dev}


@dataclass
class TriageModel:
    """Exported weights; `score()` turns feature strings into sector probabilities and problem-type scores."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    sector_coef: np.ndarray  # (sectors, features)
    sector_intercept: np.ndarray
    problem_coef: np.ndarray  # (problem types, features)
    problem_intercept: np.ndarray
    thresholds: np.ndarray  # per problem type, on the logistic probability
    sectors: tuple[str, ...] = SECTOR_CODES
    problem_types: tuple[str, ...] = PROBLEM_TYPE_CODES
    meta: dict = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)

    @property
    def version(self) -> int:
        return int(self.meta.get("version", 0))

    def vectorise(self, feats: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """TF-IDF (sublinear, L2-normalised) of the words and n-grams; rule features at a fixed weight."""
        counts: dict[int, int] = {}
        rules: set[int] = set()
        vocabulary = self.vocabulary
        for feat in feats:
            index = vocabulary.get(feat)
            if index is None:
                continue
            if is_rule(feat):
                rules.add(index)
            else:
                counts[index] = counts.get(index, 0) + 1
        indexes = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = (1.0 + np.log(tf)) * self.idf[indexes] if counts else np.zeros(0)
        norm = math.sqrt(float(weights @ weights)) or 1.0
        rule_indexes = np.fromiter(rules, dtype=np.int64, count=len(rules))
        rule_weight = float(self.meta.get("rule_weight", RULE_WEIGHT))
        return (np.concatenate([indexes, rule_indexes]),
                np.concatenate([weights / norm, np.full(len(rules), rule_weight)]))

    def score(self, feats: list[str]):
        """(sector probabilities, problem-type probabilities, feature indexes, feature weights)."""
        indexes, weights = self.vectorise(feats)
        sector_logits = self.sector_coef[:, indexes] @ weights + self.sector_intercept
        sector_prob = 1.0 / (1.0 + np.exp(-np.clip(sector_logits, -30, 30)))  # one-vs-rest, then normalised
        sector_prob /= sector_prob.sum()
        problem_logits = self.problem_coef[:, indexes] @ weights + self.problem_intercept
        problem_prob = 1.0 / (1.0 + np.exp(-np.clip(problem_logits, -30, 30)))
        return sector_prob, problem_prob, indexes, weights

    def predict(self, text: str) -> tuple[str, list[str]]:
        sector_prob, problem_prob, _, _ = self.score(features(text))
        return self.sectors[int(sector_prob.argmax())], self.pick_problem_types(problem_prob)

    def pick_problem_types(self, problem_prob: np.ndarray) -> list[str]:
        chosen = pick_matrix(problem_prob[None, :], self.thresholds, self.problem_types)[0]
        return [self.problem_types[i] for i in np.argsort(-problem_prob) if chosen[i]]


def pick_matrix(probabilities: np.ndarray, thresholds: np.ndarray, codes: tuple[str, ...]) -> np.ndarray:
    """The problem types chosen for each row of probabilities, as docs/triage.md 3.2 asks of an annotator: the types
    over their threshold (the most probable one when none is); when more than MAX_PROBLEM_TYPES are, the first ones in
    the fixed order PROBLEM_ORDER (the specific before the general, not the most probable); `other` only alone."""
    chosen = probabilities >= thresholds
    top = probabilities == probabilities.max(axis=1, keepdims=True)
    chosen = np.where(chosen.any(axis=1, keepdims=True), chosen, top)
    if probabilities.shape[1] > MAX_PROBLEM_TYPES:
        rank = np.array([PROBLEM_ORDER.index(code) if code in PROBLEM_ORDER else len(PROBLEM_ORDER) for code in codes])
        position = np.where(chosen, rank[None, :], len(PROBLEM_ORDER) + 1)
        cut = np.sort(position, axis=1)[:, MAX_PROBLEM_TYPES - 1:MAX_PROBLEM_TYPES]
        chosen &= position <= cut
    if OTHER in codes:
        other = codes.index(OTHER)
        crowded = chosen[:, other] & (chosen.sum(axis=1) > 1)
        chosen[crowded, other] = False
    return chosen


# --- corpus ----------------------------------------------------------------------------------------------------

def read_corpus(split: str, path: Path = CORPUS_PATH) -> list[Example]:
    examples = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                if row["split"] == split:
                    examples.append(Example(row["text"], row["sector"], list(row["problem_types"])))
    return examples


# --- training --------------------------------------------------------------------------------------------------

def train(examples: list[Example]) -> TriageModel:
    """Fit on `examples`. Every problem type is decided at PROBLEM_THRESHOLD on its class-weighted logistic
    probability; no split is used to choose thresholds (docs/triage.md, fifth round: thresholds tuned on the dev
    split fitted its noise, and thresholds tuned on out-of-fold predictions of train did no better than 0.5 in
    nested cross-validation on train and on dev)."""
    model = _fit(examples, [features(example.text) for example in examples])
    model.thresholds = np.full(len(PROBLEM_TYPE_CODES), PROBLEM_THRESHOLD)
    return model


def _fit(examples: list[Example], all_features: list[list[str]]) -> TriageModel:
    """The TF-IDF vocabulary, the sector models and the problem-type models, exported to arrays."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=MIN_DF, norm="l2")
    words = vectorizer.fit_transform([[f for f in feats if not is_rule(f)] for feats in all_features])
    rule_terms = sorted({f for feats in all_features for f in feats if is_rule(f)})
    rule_index = {term: i for i, term in enumerate(rule_terms)}
    rows, cols = [], []
    for row, feats in enumerate(all_features):
        for term in {f for f in feats if is_rule(f)}:
            rows.append(row)
            cols.append(rule_index[term])
    rule_block = csr_matrix((np.full(len(rows), RULE_WEIGHT), (rows, cols)), shape=(len(examples), len(rule_terms)))
    matrix = hstack([words, rule_block]).tocsr()
    problem_matrix = hstack([words, rule_block * (PROBLEM_RULE_WEIGHT / RULE_WEIGHT)]).tocsr()
    n_words = words.shape[1]
    sector_coef = np.zeros((len(SECTOR_CODES), matrix.shape[1]))
    sector_intercept = np.full(len(SECTOR_CODES), -30.0)  # a sector absent from the data is never chosen
    sector_labels = [SECTOR_CODES.index(example.sector) for example in examples]
    if SOLVER == "liblinear":
        from sklearn.multiclass import OneVsRestClassifier

        ovr = OneVsRestClassifier(LogisticRegression(C=SECTOR_C, solver="liblinear")).fit(matrix, sector_labels)
        classes, coef = ovr.classes_, np.vstack([e.coef_[0] for e in ovr.estimators_])
        intercept = np.array([e.intercept_[0] for e in ovr.estimators_])
    else:
        sector_model = LogisticRegression(C=SECTOR_C, max_iter=3000, solver=SOLVER).fit(matrix, sector_labels)
        classes, coef, intercept = sector_model.classes_, sector_model.coef_, sector_model.intercept_
    for row, label in enumerate(classes):
        sector_coef[label] = coef[row]
        sector_intercept[label] = intercept[row]
    problem_coef = np.zeros((len(PROBLEM_TYPE_CODES), matrix.shape[1]))
    problem_intercept = np.full(len(PROBLEM_TYPE_CODES), -30.0)
    for index, code in enumerate(PROBLEM_TYPE_CODES):
        target = np.array([code in example.problem_types for example in examples], dtype=int)
        if 0 < target.sum() < len(target):
            model = LogisticRegression(C=PROBLEM_C, max_iter=3000, class_weight="balanced", solver="liblinear")
            model.fit(problem_matrix, target)
            problem_coef[index], problem_intercept[index] = model.coef_[0], model.intercept_[0]
    problem_coef[:, n_words:] *= PROBLEM_RULE_WEIGHT / RULE_WEIGHT  # same scores on the RULE_WEIGHT vector
    vocabulary = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
    offset = len(vocabulary)
    vocabulary.update({term: offset + i for i, term in enumerate(rule_terms)})
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[index] = term
    idf = np.concatenate([vectorizer.idf_.astype(np.float64), np.ones(len(rule_terms))])
    model = TriageModel(vocabulary=vocabulary, idf=idf, sector_coef=sector_coef,
                        sector_intercept=sector_intercept, problem_coef=problem_coef,
                        problem_intercept=problem_intercept,
                        thresholds=np.full(len(PROBLEM_TYPE_CODES), PROBLEM_THRESHOLD),
                        terms=terms, meta={"rule_weight": RULE_WEIGHT, "problem_rule_weight": PROBLEM_RULE_WEIGHT})
    return model


def _identity(feats):
    return feats


# --- evaluation ------------------------------------------------------------------------------------------------

def micro_f1(gold: list[list[str]], predicted: list[list[str]]) -> float:
    tp = sum(len(set(g) & set(p)) for g, p in zip(gold, predicted, strict=True))
    fp = sum(len(set(p) - set(g)) for g, p in zip(gold, predicted, strict=True))
    fn = sum(len(set(g) - set(p)) for g, p in zip(gold, predicted, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(gold: list[str], predicted: list[str], labels=SECTOR_CODES) -> float:
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def evaluate(model: TriageModel, examples: list[Example], n_train: int = 0) -> Scores:
    predictions = [model.predict(example.text) for example in examples]
    gold_sectors = [example.sector for example in examples]
    sectors = [sector for sector, _ in predictions]
    accuracy = sum(g == p for g, p in zip(gold_sectors, sectors, strict=True)) / len(examples) if examples else 0.0
    return Scores(sector_accuracy=accuracy, sector_macro_f1=macro_f1(gold_sectors, sectors),
                  problem_micro_f1=micro_f1([e.problem_types for e in examples], [p for _, p in predictions]),
                  n_train=n_train, n_dev=len(examples))


# --- storage ---------------------------------------------------------------------------------------------------

KEEP_FILES = 10  # model files kept besides the active one


def model_dir() -> Path:
    """settings.FANGXIN_TRIAGE_DIR, or var/triage/<key id>/: one directory per SECRET_KEY, so a test run (fixed key)
    and the server never take each other's manifest for a forgery and retrain back and forth."""
    from django.conf import settings

    configured = getattr(settings, "FANGXIN_TRIAGE_DIR", None)
    if configured:
        return Path(configured)
    key_id = hashlib.sha256(f"fangxin.triage:{settings.SECRET_KEY}".encode()).hexdigest()[:12]
    return Path(settings.FANGXIN_VAR_DIR) / "triage" / key_id


def _signer():
    from django.core.signing import Signer

    return Signer(salt=SIGNING_SALT)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(model: TriageModel, directory: Path | None = None) -> tuple[Path, str]:
    """Write `model` as the next version's file (not yet active); returns (path, sha256)."""
    directory = directory or model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    version = model.version or next_version(directory)
    model.meta["version"] = version
    path = directory / f"model-v{version:04d}.npz"
    meta = json.dumps({**model.meta, "format": FORMAT, "features": features_fingerprint()}, ensure_ascii=False)
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".npz.tmp", delete=False) as handle:
        np.savez_compressed(handle, terms=np.array(model.terms, dtype=str), idf=model.idf,
                            sector_coef=model.sector_coef.astype(np.float32),
                            sector_intercept=model.sector_intercept, problem_coef=model.problem_coef.astype(np.float32),
                            problem_intercept=model.problem_intercept, thresholds=model.thresholds,
                            sectors=np.array(model.sectors, dtype=str),
                            problem_types=np.array(model.problem_types, dtype=str), meta=np.array(meta, dtype=str))
        temporary = Path(handle.name)
    os.replace(temporary, path)
    _prune(directory, keep=path.name)
    return path, sha256_of(path)


def _prune(directory: Path, keep: str) -> None:
    """Remove old model files, never the active one nor the one just written."""
    try:
        active = read_manifest(directory)["file"]
    except ModelError:
        active = ""
    files = sorted(directory.glob("model-v*.npz"), key=lambda p: p.name, reverse=True)
    for old in files[KEEP_FILES:]:
        if old.name not in (active, keep):
            old.unlink(missing_ok=True)


def next_version(directory: Path) -> int:
    versions = [int(p.stem.split("-v")[1]) for p in directory.glob("model-v*.npz") if p.stem.split("-v")[1].isdigit()]
    return max(versions, default=0) + 1


def activate(path: Path, sha256: str, directory: Path | None = None) -> None:
    """Make `path` the active model: a signed manifest naming the file and its hash, replaced atomically."""
    directory = directory or model_dir()
    body = {"file": path.name, "sha256": sha256}
    body["signature"] = _signer().signature(f"{path.name}:{sha256}")
    with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".json.tmp", delete=False, encoding="utf-8") as handle:
        json.dump(body, handle)
        temporary = Path(handle.name)
    os.replace(temporary, directory / MANIFEST)


def load_file(path: Path, sha256: str) -> TriageModel:
    """Load a model file after checking its hash; numpy without pickle, so the file cannot run code."""
    if not path.is_file():
        raise ModelError(f"模型文件 {path.name} 不存在")
    if sha256_of(path) != sha256:
        raise ModelError(f"模型文件 {path.name} 的哈希与登记不符（文件被改动）")
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT or meta.get("features") != features_fingerprint():
                raise ModelError(f"模型文件 {path.name} 是用另一版特征或语料训练的，需要重新训练")
            terms = [str(term) for term in data["terms"]]
            return TriageModel(
                vocabulary={term: index for index, term in enumerate(terms)}, idf=data["idf"].astype(np.float64),
                sector_coef=data["sector_coef"].astype(np.float64), sector_intercept=data["sector_intercept"],
                problem_coef=data["problem_coef"].astype(np.float64), problem_intercept=data["problem_intercept"],
                thresholds=data["thresholds"], sectors=tuple(str(s) for s in data["sectors"]),
                problem_types=tuple(str(p) for p in data["problem_types"]), meta=meta, terms=terms)
    except (OSError, ValueError, KeyError) as error:
        raise ModelError(f"模型文件 {path.name} 无法读取：{error}") from None


def read_manifest(directory: Path | None = None) -> dict:
    directory = directory or model_dir()
    try:
        body = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelError("没有登记在用的模型") from None
    from django.core.signing import BadSignature

    name, sha256 = str(body.get("file", "")), str(body.get("sha256", ""))
    try:
        _signer().unsign(f"{name}:{sha256}:{body.get('signature', '')}")
    except BadSignature:
        raise ModelError("在用模型的登记签名无效（不是本系统写入的）") from None
    if "/" in name or "\\" in name or not name.startswith("model-v"):
        raise ModelError("在用模型的文件名无效")
    return {"file": name, "sha256": sha256}


def load_active(directory: Path | None = None) -> TriageModel:
    directory = directory or model_dir()
    manifest = read_manifest(directory)
    return load_file(directory / manifest["file"], manifest["sha256"])


def train_default() -> tuple[TriageModel, Scores]:
    """The model from the corpus alone (train split; scores on dev)."""
    train_examples, dev_examples = read_corpus("train"), read_corpus("dev")
    started = time.perf_counter()
    model = train(train_examples)
    scores = evaluate(model, dev_examples, n_train=len(train_examples))
    model.meta.update({"trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "scores": scores.as_dict(),
                       "n_corrections": 0, "seconds": round(time.perf_counter() - started, 2)})
    return model, scores


# --- the process-wide active model ---------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict = {"model": None, "checked": 0.0, "manifest_mtime": None}
RECHECK_SECONDS = 2.0


def active_model() -> TriageModel:
    """The active model, loaded once and reloaded when the manifest changes (a retrain in another process);
    trained from the corpus on first use when there is none (a few seconds, nothing downloaded)."""
    now = time.monotonic()
    model = _cache["model"]
    if model is not None and now - _cache["checked"] < RECHECK_SECONDS:
        return model
    with _lock:
        directory = model_dir()
        try:
            mtime = (directory / MANIFEST).stat().st_mtime_ns
        except OSError:
            mtime = None
        if _cache["model"] is not None and mtime == _cache["manifest_mtime"] and mtime is not None:
            _cache["checked"] = now
            return _cache["model"]
        try:
            model = load_active(directory)
        except ModelError as exc:
            # Staff corrections folded in by an earlier retrain are not in this model until the next retrain.
            logger.warning("分诊模型不可用（%s），已用语料训练集重新训练；已确认的人工更正请运行 "
                           "fangxin triage retrain 重新加入。", exc)
            model, _ = train_default()
            path, sha256 = save(model, directory)
            activate(path, sha256, directory)
            mtime = (directory / MANIFEST).stat().st_mtime_ns
        _cache.update(model=model, checked=now, manifest_mtime=mtime)
        return model


def forget_active() -> None:
    """Drop the cached model (tests, and after a retrain in this process)."""
    with _lock:
        _cache.update(model=None, checked=0.0, manifest_mtime=None)
