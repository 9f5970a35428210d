#!/usr/bin/env python3
"""Validate data/triage/corpus.jsonl and data/triage/masking.jsonl and print count tables.

Standard library only (Python 3.11). Exit status 1 if any problem is found.

    python data/triage/check_corpus.py              # plain tables
    python data/triage/check_corpus.py --markdown   # tables as Markdown (for docs/triage.md)
"""
from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.jsonl"
MASKING = HERE / "masking.jsonl"
SECOND = HERE / "second_annotation.jsonl"
ADJUDICATION = HERE / "adjudication.jsonl"

SECTORS = ["ecommerce", "tourism", "food_drug", "info", "transport", "finance", "price",
           "utilities", "express", "culture", "education", "beauty_fitness", "other"]
# the fixed order of docs/triage.md 3.2, in which a text's problem types are listed
PROBLEM_ORDER = ["safety", "personal_info", "prepaid", "no_reason_return", "false_ad", "unfair_terms", "price",
                 "quality", "contract", "after_sales", "other"]
# the same codes in the order of the count tables in docs/triage.md 6 (kept so the published tables don't reshuffle)
PROBLEM_TYPES = ["quality", "false_ad", "price", "unfair_terms", "after_sales", "no_reason_return",
                 "safety", "prepaid", "personal_info", "contract", "other"]
assert sorted(PROBLEM_TYPES) == sorted(PROBLEM_ORDER)
CORPUS_SPLITS = ["train", "dev", "test"]
SPAN_TYPES = ["mobile", "landline", "id_card", "bank_card", "email", "name", "address"]
MASK_SPLITS = ["dev", "test"]

# minimum sizes the corpus was built to (see docs/triage.md)
MIN_CORPUS_TEXTS = 1200
MIN_PER_SECTOR = 70
MIN_TEST_PER_SECTOR = 10
MIN_PER_PROBLEM_TYPE = 60
MIN_HARD = 120
MIN_MASK_TEXTS = 400
MIN_PER_SPAN_TYPE = 60

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

problems: list[str] = []


def problem(msg: str) -> None:
    problems.append(msg)


def id_check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_valid(s: str) -> bool:
    """GB 11643 resident ID: 17 digits + check character (digit or X)."""
    return bool(re.fullmatch(r"\d{17}[\dX]", s)) and id_check_char(s[:17]) == s[17]


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


MOBILE_RE = re.compile(r"(?:\+86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}")
LANDLINE_RE = re.compile(r"(?:0\d{2,3}[- ]?|[(（]0\d{2,3}[)）])[2-9]\d{6,7}")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# a mobile number standing alone (not part of a longer digit run) must never appear in corpus.jsonl
CORPUS_MOBILE_RE = re.compile(r"(?<![\d+])1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    if not path.exists():
        problem(f"{path.name}: file missing")
        return rows
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                problem(f"{path.name}:{n}: empty line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                problem(f"{path.name}:{n}: not JSON ({e})")
                continue
            if not isinstance(obj, dict):
                problem(f"{path.name}:{n}: not a JSON object")
                continue
            obj["_line"] = n
            rows.append(obj)
    return rows


def check_corpus(rows: list[dict]) -> None:
    ids, texts = set(), {}
    for r in rows:
        where = f"corpus.jsonl:{r['_line']}"
        keys = set(r) - {"_line"}
        expected = {"id", "text", "sector", "problem_types", "split", "hard"}
        if keys != expected:
            problem(f"{where}: fields {sorted(keys)} != {sorted(expected)}")
        rid, text = r.get("id"), r.get("text")
        if not isinstance(rid, str) or not re.fullmatch(r"c\d{4,}", rid):
            problem(f"{where}: bad id {rid!r}")
        elif rid in ids:
            problem(f"{where}: duplicate id {rid}")
        ids.add(rid)
        if not isinstance(text, str) or not text.strip():
            problem(f"{where}: empty text")
            continue
        if text != text.strip():
            problem(f"{where}: text has leading/trailing whitespace")
        if text in texts:
            problem(f"{where}: duplicate text (also line {texts[text]})")
        texts[text] = r["_line"]
        labels_valid(where, r)
        if r.get("split") not in CORPUS_SPLITS:
            problem(f"{where}: bad split {r.get('split')!r}")
        if not isinstance(r.get("hard"), bool):
            problem(f"{where}: hard must be true/false")
        # no personal information in the classification corpus
        if CORPUS_MOBILE_RE.search(text):
            problem(f"{where}: looks like a mobile number: {CORPUS_MOBILE_RE.search(text).group()}")
        if EMAIL_RE.search(text):
            problem(f"{where}: looks like an email address")
        for m in re.finditer(r"(?<![\dA-Za-z])\d{17}[\dX](?![\dA-Za-z])", text):
            if id_valid(m.group()):
                problem(f"{where}: contains a valid resident ID number {m.group()}")

    # sizes
    sec = collections.Counter(r.get("sector") for r in rows)
    pt = collections.Counter(p for r in rows for p in (r.get("problem_types") or []))
    if len(rows) < MIN_CORPUS_TEXTS:
        problem(f"corpus: {len(rows)} texts < {MIN_CORPUS_TEXTS}")
    for s in SECTORS:
        if sec[s] < MIN_PER_SECTOR:
            problem(f"corpus: sector {s} has {sec[s]} texts < {MIN_PER_SECTOR}")
        nt = sum(1 for r in rows if r.get("sector") == s and r.get("split") == "test")
        if nt < MIN_TEST_PER_SECTOR:
            problem(f"corpus: sector {s} has {nt} test texts < {MIN_TEST_PER_SECTOR}")
    for p in PROBLEM_TYPES:
        if pt[p] < MIN_PER_PROBLEM_TYPE:
            problem(f"corpus: problem type {p} occurs {pt[p]} times < {MIN_PER_PROBLEM_TYPE}")
    nh = sum(1 for r in rows if r.get("hard") is True)
    if nh < MIN_HARD:
        problem(f"corpus: {nh} hard texts < {MIN_HARD}")
    for sp in CORPUS_SPLITS:
        if not any(r.get("hard") is True and r.get("split") == sp for r in rows):
            problem(f"corpus: no hard texts in split {sp}")


def normalise_digits(s: str) -> str:
    return re.sub(r"[\s-]", "", s)


def check_span_value(where: str, typ: str, value: str) -> None:
    if value != value.strip() or not value:
        problem(f"{where}: span {value!r} has surrounding whitespace or is empty")
    if typ == "id_card":
        if not id_valid(value):
            problem(f"{where}: id_card {value!r} fails the GB 11643 check digit")
    elif typ == "bank_card":
        d = re.sub(r" ", "", value)
        if not re.fullmatch(r"\d{16,19}", d):
            problem(f"{where}: bank_card {value!r} is not 16-19 digits")
        elif not luhn_valid(d):
            problem(f"{where}: bank_card {value!r} fails the Luhn check")
    elif typ == "mobile":
        if not MOBILE_RE.fullmatch(value):
            problem(f"{where}: mobile {value!r} is not a mobile number")
    elif typ == "landline":
        if not LANDLINE_RE.fullmatch(value):
            problem(f"{where}: landline {value!r} is not area code + number")
    elif typ == "email":
        if not EMAIL_RE.fullmatch(value):
            problem(f"{where}: email {value!r} is not an email address")
    elif typ == "name":
        if len(value) > 20 or re.search(r"\d", value):
            problem(f"{where}: name {value!r} looks wrong")
    elif typ == "address" and len(value) < 6:
        problem(f"{where}: address {value!r} too short")


def check_masking(rows: list[dict]) -> None:
    ids, texts = set(), {}
    for r in rows:
        where = f"masking.jsonl:{r['_line']}"
        keys = set(r) - {"_line"}
        expected = {"id", "text", "spans", "keep", "split"}
        if keys != expected:
            problem(f"{where}: fields {sorted(keys)} != {sorted(expected)}")
        rid, text = r.get("id"), r.get("text")
        if not isinstance(rid, str) or not re.fullmatch(r"m\d{4,}", rid):
            problem(f"{where}: bad id {rid!r}")
        elif rid in ids:
            problem(f"{where}: duplicate id {rid}")
        ids.add(rid)
        if not isinstance(text, str) or not text.strip():
            problem(f"{where}: empty text")
            continue
        if text in texts:
            problem(f"{where}: duplicate text (also line {texts[text]})")
        texts[text] = r["_line"]
        if r.get("split") not in MASK_SPLITS:
            problem(f"{where}: bad split {r.get('split')!r}")
        spans = r.get("spans")
        covered: set[int] = set()
        if not isinstance(spans, list):
            problem(f"{where}: spans must be a list")
            spans = []
        last_end = -1
        for sp in sorted((s for s in spans if isinstance(s, dict)), key=lambda s: (s.get("start", 0), s.get("end", 0))):
            st, en, typ = sp.get("start"), sp.get("end"), sp.get("type")
            if set(sp) != {"start", "end", "type"}:
                problem(f"{where}: span fields {sorted(sp)}")
            if not (isinstance(st, int) and isinstance(en, int) and 0 <= st < en <= len(text)):
                problem(f"{where}: bad span indexes {sp}")
                continue
            if typ not in SPAN_TYPES:
                problem(f"{where}: unknown span type {typ!r}")
                continue
            if st < last_end:
                problem(f"{where}: overlapping spans at {st}")
            last_end = max(last_end, en)
            value = text[st:en]
            check_span_value(where, typ, value)
            # a span must not cut a number or word in half
            if st > 0 and text[st - 1].isascii() and text[st - 1].isalnum() and value[0].isascii() and value[0].isalnum():
                problem(f"{where}: span {value!r} starts inside a longer token")
            if en < len(text) and text[en].isascii() and text[en].isalnum() and value[-1].isascii() and value[-1].isalnum():
                problem(f"{where}: span {value!r} ends inside a longer token")
            covered.update(range(st, en))
        if len(spans) != len([s for s in spans if isinstance(s, dict)]):
            problem(f"{where}: spans must be objects")
        keep = r.get("keep")
        if not isinstance(keep, list) or not all(isinstance(k, str) and k for k in keep):
            problem(f"{where}: keep must be a list of non-empty strings")
            continue
        for k in keep:
            i = text.find(k)
            if i < 0:
                problem(f"{where}: keep string {k!r} not in text")
            while i >= 0:
                if covered & set(range(i, i + len(k))):
                    problem(f"{where}: keep string {k!r} overlaps a span")
                    break
                i = text.find(k, i + 1)
            # numbers kept must not pass the checks that make a number personal
            if re.fullmatch(r"\d{16,19}", k) and luhn_valid(k):
                problem(f"{where}: kept number {k} passes Luhn (ambiguous with a bank card)")
            if re.fullmatch(r"\d{17}[\dX]", k) and id_valid(k):
                problem(f"{where}: kept number {k} passes the ID check digit")
    c = collections.Counter(s.get("type") for r in rows for s in (r.get("spans") or []) if isinstance(s, dict))
    if len(rows) < MIN_MASK_TEXTS:
        problem(f"masking: {len(rows)} texts < {MIN_MASK_TEXTS}")
    for t in SPAN_TYPES:
        if c[t] < MIN_PER_SPAN_TYPE:
            problem(f"masking: span type {t} has {c[t]} spans < {MIN_PER_SPAN_TYPE}")


def table(title: str, header: list[str], body: list[list], md: bool) -> str:
    out = [f"### {title}" if md else f"== {title} =="]
    if md:
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        out += ["| " + " | ".join(str(x) for x in row) + " |" for row in body]
    else:
        w = [max(len(str(x)) for x in col) for col in zip(header, *body, strict=True)]
        out.append("  ".join(str(h).ljust(w[i]) if i == 0 else str(h).rjust(w[i]) for i, h in enumerate(header)))
        out += ["  ".join(str(x).ljust(w[i]) if i == 0 else str(x).rjust(w[i]) for i, x in enumerate(row)) for row in body]
    return "\n".join(out) + "\n"


def report(corpus: list[dict], masking: list[dict], md: bool) -> str:
    parts = []
    by = collections.Counter((r.get("sector"), r.get("split")) for r in corpus)
    hard = collections.Counter(r.get("sector") for r in corpus if r.get("hard") is True)
    body = [[s, *(by[(s, sp)] for sp in CORPUS_SPLITS), sum(by[(s, sp)] for sp in CORPUS_SPLITS), hard[s]] for s in SECTORS]
    body.append(["total", *(sum(by[(s, sp)] for s in SECTORS) for sp in CORPUS_SPLITS), len(corpus), sum(hard.values())])
    parts.append(table("corpus.jsonl: texts per sector and split", ["sector", *CORPUS_SPLITS, "total", "hard"], body, md))
    pt = collections.Counter((p, r.get("split")) for r in corpus for p in (r.get("problem_types") or []))
    body = [[p, *(pt[(p, sp)] for sp in CORPUS_SPLITS), sum(pt[(p, sp)] for sp in CORPUS_SPLITS)] for p in PROBLEM_TYPES]
    parts.append(table("corpus.jsonl: problem-type occurrences per split", ["problem_type", *CORPUS_SPLITS, "total"], body, md))
    nl = collections.Counter(min(len(r.get("problem_types") or []), 3) for r in corpus)
    lens = sorted(len(r.get("text", "")) for r in corpus)
    body = [["1 problem type", nl[1]], ["2 problem types", nl[2]], ["3+ problem types", nl[3]],
            ["share with 2+", f"{(nl[2] + nl[3]) / max(len(corpus), 1):.1%}"],
            ["hard texts", sum(1 for r in corpus if r.get("hard") is True)],
            ["hard train/dev/test", "/".join(str(sum(1 for r in corpus if r.get('hard') is True and r.get('split') == sp)) for sp in CORPUS_SPLITS)],
            ["text length min/median/max", f"{lens[0]}/{lens[len(lens) // 2]}/{lens[-1]}" if lens else "-"],
            ["texts of 400+ characters", sum(1 for x in lens if x >= 400)]]
    parts.append(table("corpus.jsonl: other figures", ["figure", "value"], body, md))
    mt = collections.Counter((s.get("type"), r.get("split")) for r in masking for s in (r.get("spans") or []) if isinstance(s, dict))
    body = [[t, *(mt[(t, sp)] for sp in MASK_SPLITS), sum(mt[(t, sp)] for sp in MASK_SPLITS)] for t in SPAN_TYPES]
    body.append(["texts", *(sum(1 for r in masking if r.get("split") == sp) for sp in MASK_SPLITS), len(masking)])
    body.append(["keep strings", *(sum(len(r.get("keep") or []) for r in masking if r.get("split") == sp) for sp in MASK_SPLITS),
                 sum(len(r.get("keep") or []) for r in masking)])
    parts.append(table("masking.jsonl: spans per type and split", ["type", *MASK_SPLITS, "total"], body, md))
    return "\n".join(parts)


def labels_valid(where: str, labels) -> bool:
    if not isinstance(labels, dict):
        problem(f"{where}: labels must be an object, got {labels!r}")
        return False
    types = labels.get("problem_types")
    valid = True
    if labels.get("sector") not in SECTORS:
        problem(f"{where}: unknown sector {labels.get('sector')!r}")
        valid = False
    if not isinstance(types, list) or not 1 <= len(types) <= 2 or any(t not in PROBLEM_ORDER for t in types):
        problem(f"{where}: problem_types must be 1-2 known codes, got {types!r}")
        valid = False
    elif len(set(types)) != len(types):
        problem(f"{where}: repeated problem type in {types!r}")
        valid = False
    elif types != sorted(types, key=PROBLEM_ORDER.index) or ("other" in types and len(types) > 1):
        problem(f"{where}: problem_types not in the fixed order of docs/triage.md 3.2 or 'other' not alone: {types!r}")
        valid = False
    return valid


def same_labels(a: dict, b: dict) -> bool:
    return a.get("sector") == b.get("sector") and set(a.get("problem_types") or []) == set(b.get("problem_types") or [])


def check_double_annotation(corpus: list[dict], second: list[dict], adjudication: list[dict]) -> None:
    """When there is a second annotation it covers every corpus text once (the corpus labels themselves are checked
    by `check_corpus`); every disagreement with the first labels has one adjudication (same split, same second labels) whose final
    labels are the corpus labels, and texts both annotators agreed on have none."""
    by_id = {r.get("id"): r for r in corpus}
    decided = {}
    for a in adjudication:
        where = f"adjudication.jsonl:{a['_line']}"
        if a.get("id") in decided or a.get("id") not in by_id:
            problem(f"{where}: id {a.get('id')!r} unknown or repeated")
            continue
        if all([labels_valid(f"{where} {key}", a.get(key)) for key in ("first", "second", "final")]):
            decided[a["id"]] = a
    seen, second_by_id = set(), {r.get("id"): r for r in second}
    for r in second:
        where = f"second_annotation.jsonl:{r['_line']}"
        if r.get("id") not in by_id or r.get("id") in seen:
            problem(f"{where}: id {r.get('id')!r} unknown or repeated")
            continue
        seen.add(r["id"])
        labels_valid(where, r)
        first = decided[r["id"]]["first"] if r["id"] in decided else by_id[r["id"]]
        agree = same_labels(first, r)
        if agree == (r["id"] in decided):
            problem(f"{where}: {r['id']} {'agrees yet has' if agree else 'disagrees but has no'} adjudication")
    if second and seen != set(by_id):
        problem(f"second_annotation.jsonl: {len(set(by_id) - seen)} corpus texts have no second annotation")
    for a in decided.values():
        where = f"adjudication.jsonl:{a['_line']}"
        row, second_row = by_id[a["id"]], second_by_id.get(a["id"])
        if second_row is None:
            problem(f"{where}: {a['id']} is not in second_annotation.jsonl")
        elif not same_labels(a["second"], second_row) or a["second"].get("problem_types") != second_row.get("problem_types"):
            problem(f"{where}: 'second' differs from second_annotation.jsonl for {a['id']}")
        if a.get("split") != row.get("split"):
            problem(f"{where}: split {a.get('split')!r} differs from corpus.jsonl for {a['id']}")
        if (a["final"].get("sector"), a["final"].get("problem_types")) != (row.get("sector"), row.get("problem_types")):
            problem(f"{where}: final labels differ from corpus.jsonl for {a['id']}")
        if not str(a.get("reason") or "").strip():
            problem(f"{where}: no reason")


def agreement_report(corpus: list[dict], second: list[dict], adjudication: list[dict], md: bool) -> str:
    by_id = {r.get("id"): r for r in corpus}
    firsts = {a["id"]: a["first"] for a in adjudication}
    body = []
    for split in [*CORPUS_SPLITS, "all"]:
        pairs = [(firsts.get(r["id"], by_id[r["id"]]), r) for r in second if split in ("all", by_id[r["id"]].get("split"))]
        if not pairs:
            continue
        tp = sum(len(set(f["problem_types"]) & set(s["problem_types"])) for f, s in pairs)
        total = sum(len(f["problem_types"]) + len(s["problem_types"]) for f, s in pairs)
        changed = [a for a in adjudication if split in ("all", a.get("split"))]
        body.append([split, len(pairs), f"{sum(f['sector'] == s['sector'] for f, s in pairs) / len(pairs):.3f}",
                     f"{2 * tp / total:.3f}", f"{sum(set(f['problem_types']) == set(s['problem_types']) for f, s in pairs) / len(pairs):.3f}",
                     len(changed), sum(a["first"] != a["final"] for a in changed)])
    return table("double annotation: first vs blind second annotator",
                 ["split", "texts", "sector agreement", "problem micro-F1", "same problem set", "disagreements", "first labels changed"], body, md)


def main() -> int:
    md = "--markdown" in sys.argv
    corpus = read_jsonl(CORPUS)
    masking = read_jsonl(MASKING)
    second = read_jsonl(SECOND) if SECOND.exists() else []
    adjudication = read_jsonl(ADJUDICATION) if ADJUDICATION.exists() else []
    check_corpus(corpus)
    check_masking(masking)
    check_double_annotation(corpus, second, adjudication)
    print(report(corpus, masking, md))
    if second and not problems:
        print(agreement_report(corpus, second, adjudication, md))
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for p in problems[:200]:
            print("  " + p, file=sys.stderr)
        return 1
    print("OK: both files are valid.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
