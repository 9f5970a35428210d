"""data/triage/check_corpus.py over the committed files, and its double-annotation checks on small cases."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

CHECK = Path(__file__).resolve().parents[3] / "data" / "triage" / "check_corpus.py"


@pytest.fixture
def check():
    spec = importlib.util.spec_from_file_location("check_corpus", CHECK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.problems.clear()
    return module


def test_committed_corpus_files_are_valid():
    result = subprocess.run([sys.executable, str(CHECK)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "double annotation" in result.stdout


def corpus_row(sector="ecommerce", types=("quality",)):
    return {"id": "c0001", "text": "…", "sector": sector, "problem_types": list(types), "split": "test", "_line": 1}


def adjudication(**changes):
    decided = {"id": "c0001", "split": "test", "first": {"sector": "ecommerce", "problem_types": ["quality"]},
               "second": {"sector": "ecommerce", "problem_types": ["quality", "after_sales"]},
               "final": {"sector": "ecommerce", "problem_types": ["quality", "after_sales"]}, "reason": "§3.1 检查 10",
               "_line": 1}
    return {**decided, **changes}


def test_a_disagreement_needs_an_adjudication_whose_final_labels_are_the_corpus_labels(check):
    second = [{"id": "c0001", "sector": "ecommerce", "problem_types": ["quality", "after_sales"], "_line": 1}]
    check.check_double_annotation([corpus_row()], second, [])
    assert any("disagrees but has no adjudication" in p for p in check.problems)

    check.problems.clear()
    check.check_double_annotation([corpus_row()], second, [adjudication()])
    assert any("final labels differ" in p for p in check.problems)

    check.problems.clear()
    check.check_double_annotation([corpus_row(types=("quality", "after_sales"))], second, [adjudication()])
    assert check.problems == []


def test_agreement_needs_no_adjudication_and_labels_follow_the_fixed_order(check):
    agreed = [{"id": "c0001", "sector": "ecommerce", "problem_types": ["quality"], "_line": 1}]
    check.check_double_annotation([corpus_row()], agreed, [])
    assert check.problems == []

    check.check_double_annotation([corpus_row()], [{**agreed[0], "problem_types": ["after_sales", "quality"]}], [])
    assert any("fixed order" in p for p in check.problems)


SECOND = [{"id": "c0001", "sector": "ecommerce", "problem_types": ["quality", "after_sales"], "_line": 1}]
ADJUDICATED_ROW = ("quality", "after_sales")


@pytest.mark.parametrize(("corpus", "second", "decisions", "expected"), [
    ([corpus_row(types=ADJUDICATED_ROW), {**corpus_row(), "id": "c0002", "_line": 2}], SECOND, [adjudication()],
     "have no second annotation"),
    ([corpus_row(types=ADJUDICATED_ROW)], SECOND, [adjudication(split="dev")], "split 'dev' differs"),
    ([corpus_row(types=ADJUDICATED_ROW)], SECOND, [adjudication(), adjudication(_line=2)], "unknown or repeated"),
    ([corpus_row(types=ADJUDICATED_ROW)], SECOND, [adjudication(first="quality")], "labels must be an object"),
    ([corpus_row(types=ADJUDICATED_ROW)], SECOND,
     [adjudication(second={"sector": "other", "problem_types": ["quality", "after_sales"]})], "'second' differs"),
])
def test_inconsistent_double_annotation_files_are_reported_not_raised(check, corpus, second, decisions, expected):
    check.check_double_annotation(corpus, second, decisions)
    assert any(expected in p for p in check.problems), check.problems


@pytest.mark.parametrize(("types", "expected"), [
    (("after_sales", "quality"), "fixed order"),
    (("quality", "price", "contract"), "1-2 known codes"),
    (("price", "price"), "repeated problem type"),
    (("other", "price"), "'other' not alone"),
    (("fraud",), "1-2 known codes"),
])
def test_corpus_labels_follow_the_written_procedure(check, types, expected):
    check.check_corpus([{**corpus_row(types=types), "text": "超市结账价比标价高"}])
    assert any(expected in p for p in check.problems), check.problems


def test_the_evaluation_scores_the_first_labels_and_counts_changed_labels_apart_from_disagreements():
    spec = importlib.util.spec_from_file_location("triage_eval", CHECK.parents[2] / "bench" / "triage_eval.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = [{"id": "c0001", "sector": "ecommerce", "problem_types": ["quality", "after_sales"]},
            {"id": "c0002", "sector": "price", "problem_types": ["price"]},
            {"id": "c0003", "sector": "other", "problem_types": ["other"]}]
    kept_first = {"id": "c0002", "split": "test", "first": {"sector": "price", "problem_types": ["price"]},
                  "second": {"sector": "other", "problem_types": ["price"]},
                  "final": {"sector": "price", "problem_types": ["price"]}, "reason": "§2.1"}
    second = [{"id": "c0001", "sector": "ecommerce", "problem_types": ["quality", "after_sales"]},
              {"id": "c0002", "sector": "other", "problem_types": ["price"]},
              {"id": "c0003", "sector": "other", "problem_types": ["other"]}]
    figures = bench.first_label_figures(rows, ["ecommerce", "price", "other"], [["quality"], ["price"], ["other"]],
                                        [adjudication(), kept_first], second)
    assert (figures["disagreements"], figures["changed"], figures["agreement_texts"]) == (2, 1, 3)
    assert figures["sector_accuracy"] == 1.0
    assert figures["problem_f1"] == 1.0  # c0001's first label was ["quality"], which the prediction matches
    assert figures["sector_agreement"] == pytest.approx(2 / 3)
    assert bench.first_label_figures(rows, ["x"] * 3, [["x"]] * 3, [], []) is None
