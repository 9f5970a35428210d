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


def test_a_disagreement_needs_an_adjudication_whose_final_labels_are_the_corpus_labels(check):
    second = [{"id": "c0001", "sector": "ecommerce", "problem_types": ["quality", "after_sales"], "_line": 1}]
    check.check_double_annotation([corpus_row()], second, [])
    assert any("disagrees but has no adjudication" in p for p in check.problems)

    check.problems.clear()
    decided = {"id": "c0001", "split": "test", "first": {"sector": "ecommerce", "problem_types": ["quality"]},
               "second": {"sector": "ecommerce", "problem_types": ["quality", "after_sales"]},
               "final": {"sector": "ecommerce", "problem_types": ["quality", "after_sales"]}, "reason": "§3.1 检查 10", "_line": 1}
    check.check_double_annotation([corpus_row()], second, [decided])
    assert any("final labels differ" in p for p in check.problems)

    check.problems.clear()
    check.check_double_annotation([corpus_row(types=("quality", "after_sales"))], second, [decided])
    assert check.problems == []


def test_agreement_needs_no_adjudication_and_labels_follow_the_fixed_order(check):
    agreed = [{"id": "c0001", "sector": "ecommerce", "problem_types": ["quality"], "_line": 1}]
    check.check_double_annotation([corpus_row()], agreed, [])
    assert check.problems == []

    check.check_double_annotation([corpus_row()], [{**agreed[0], "problem_types": ["after_sales", "quality"]}], [])
    assert any("fixed order" in p for p in check.problems)
