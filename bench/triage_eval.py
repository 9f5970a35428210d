"""Triage and masking on the TEST splits of data/triage/, and their speed on one core against anchors of the same run.

    .venv/bin/python bench/triage_eval.py [--rounds 3] [--split test]

Classification (corpus.jsonl): sector accuracy and macro-F1, problem-type micro-F1 (also on the hard cases), with
the active model (var/triage/; trained from the corpus train split on first use; fixed threshold 0.5).
Masking (masking.jsonl): recall per span type (a gold span counts when one predicted span of the same type covers
it), spans predicted where the gold has none, and keep-strings that were altered, split into amounts/dates/order
numbers (target zero) and the rest (shop names, public numbers…).
Speed: texts per second on one core for `classify()` as `fangxin triage --jsonl` runs it, for `classify()` with the
extraction, and for `mask()`, each next to an anchor measured in the same run on the same texts: `jieba.lcut`
alone (the segmentation every classification needs) and one `str.translate` pass (a trivial scan) for masking.
Not part of the test suite.
"""

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")  # one core

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
DATA = BASE_DIR / "data" / "triage"
TARGETS = {"sector_accuracy": 0.92, "problem_micro_f1": 0.80, "texts_per_second": 500,
           "mobile": 1.0, "landline": 1.0, "id_card": 1.0, "bank_card": 1.0, "email": 1.0, "name": 0.90, "address": 0.90}
PHONE_SHAPE = re.compile(r"^(?:[(（]?0\d{2,3}[)）]?[- ]?\d{7,8}|400-?\d{3}-?\d{4}|\d{5})$")
AMOUNT_DATE_ORDER = re.compile(r"^(?:[¥￥]?[\d,.]+(?:多)?(?:元|块钱|块|万元|万)?|\d{4}[-年./]\d{1,2}.*|\d{1,2}月\d{1,2}日.*|"
                               r"\d{1,2}:\d{2}.*|[A-Za-z]{0,4}[-]?\d[\dA-Za-z\-]{5,})$")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="test", choices=["dev", "test"])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the texts (best is reported)")
    return parser.parse_args()


def read_all(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read(path: Path, split: str) -> list[dict]:
    return [row for row in read_all(path) if row["split"] == split]


def mark(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return "  ✓" if value >= target - 1e-12 else f"  ✗ (目标 ≥ {target})"


def classification(rows: list[dict]):
    from fangxin.triage.classifier import classify
    from fangxin.triage.model import macro_f1, micro_f1

    results = [classify(row["text"], with_extraction=False) for row in rows]
    gold = [row["sector"] for row in rows]
    predicted = [result.sector for result in results]
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(rows)
    problems = micro_f1([row["problem_types"] for row in rows], [result.problem_types for result in results])
    hard = [i for i, row in enumerate(rows) if row.get("hard")]
    hard_accuracy = sum(gold[i] == predicted[i] for i in hard) / len(hard) if hard else 0.0
    hard_problems = micro_f1([rows[i]["problem_types"] for i in hard], [results[i].problem_types for i in hard]) if hard else 0.0
    print(f"分类（corpus.jsonl {len(rows)} 条，模型 v{results[0].model_version}）")
    print(f"  行业准确率           {accuracy:.3f}{mark(accuracy, TARGETS['sector_accuracy'])}")
    print(f"  行业宏平均 F1        {macro_f1(gold, predicted):.3f}")
    print(f"  问题类型微平均 F1    {problems:.3f}{mark(problems, TARGETS['problem_micro_f1'])}")
    print(f"  难例 {len(hard)} 条：行业准确率 {hard_accuracy:.3f}，问题类型微平均 F1 {hard_problems:.3f}")
    confusion = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    if confusion:
        print("  最常见的行业误判：" + "，".join(f"{g}→{p} {n}" for (g, p), n in confusion.most_common(5)))
    first_labels_and_agreement(rows, predicted, [result.problem_types for result in results])


def first_labels_and_agreement(rows: list[dict], predicted: list[str], predicted_types: list[list[str]]):
    """The same predictions scored against the first annotator's labels (before the blind adjudication), and how
    far the two human annotators agreed on these texts: the ceiling a model can be expected to approach."""
    figures = first_label_figures(rows, predicted, predicted_types, read_all(DATA / "adjudication.jsonl"),
                                  read_all(DATA / "second_annotation.jsonl"))
    if figures is None:
        return
    print(f"  对照：按裁决前的第一标注者标注（两位标注者不一致 {figures['disagreements']} 条，裁决改动 {figures['changed']} 条）："
          f"行业准确率 {figures['sector_accuracy']:.3f}，问题类型微平均 F1 {figures['problem_f1']:.3f}")
    if figures["agreement_texts"]:
        print(f"  两位标注者独立标注的一致性（{figures['agreement_texts']} 条）：行业 {figures['sector_agreement']:.3f}，"
              f"问题类型微平均 F1 {figures['type_agreement']:.3f}")


def first_label_figures(rows: list[dict], predicted: list[str], predicted_types: list[list[str]],
                        adjudication: list[dict], second_annotation: list[dict]) -> dict | None:
    from fangxin.triage.model import micro_f1

    if not adjudication and not second_annotation:
        return None
    decided = {row["id"]: row for row in adjudication}
    second = {row["id"]: row for row in second_annotation}
    first = [decided[row["id"]]["first"] if row["id"] in decided else row for row in rows]
    changed = [row for row in rows if row["id"] in decided and decided[row["id"]]["first"] != decided[row["id"]]["final"]]
    both = [(f, second[row["id"]]) for row, f in zip(rows, first, strict=True) if row["id"] in second]
    return {
        "disagreements": sum(row["id"] in decided for row in rows),
        "changed": len(changed),
        "sector_accuracy": sum(f["sector"] == p for f, p in zip(first, predicted, strict=True)) / len(rows),
        "problem_f1": micro_f1([f["problem_types"] for f in first], predicted_types),
        "agreement_texts": len(both),
        "sector_agreement": sum(f["sector"] == s["sector"] for f, s in both) / len(both) if both else 0.0,
        "type_agreement": micro_f1([f["problem_types"] for f, _ in both], [s["problem_types"] for _, s in both]) if both else 0.0,
    }


def masking_eval(rows: list[dict]):
    from fangxin.triage.masking import SPAN_TYPES, mask

    total, found, exact, extra = Counter(), Counter(), Counter(), Counter()
    keep_total = keep_wrong = keep_wrong_ado = keep_ado_total = 0
    wrong_examples = []
    for row in rows:
        result = mask(row["text"])
        for gold in row["spans"]:
            total[gold["type"]] += 1
            if any(s.type == gold["type"] and s.start <= gold["start"] and s.end >= gold["end"] for s in result.spans):
                found[gold["type"]] += 1
            if any(s.type == gold["type"] and s.start == gold["start"] and s.end == gold["end"] for s in result.spans):
                exact[gold["type"]] += 1
        for span in result.spans:
            if not any(span.start < g["end"] and g["start"] < span.end for g in row["spans"]):
                extra[span.type] += 1
        for keep in row["keep"]:
            keep_total += 1
            is_ado = bool(AMOUNT_DATE_ORDER.match(keep)) and not PHONE_SHAPE.match(keep)
            keep_ado_total += is_ado
            position = row["text"].find(keep)
            touched = any(s.start < position + len(keep) and position < s.end for s in result.spans)
            if touched:
                keep_wrong += 1
                keep_wrong_ado += is_ado
                wrong_examples.append(keep)
    print(f"遮盖（masking.jsonl {len(rows)} 条）")
    print("  类型        召回率          完全一致   多遮（无对应标注的片段）")
    for kind in SPAN_TYPES:
        recall = found[kind] / total[kind] if total[kind] else 1.0
        print(f"  {kind:<10}  {recall:.3f} ({found[kind]:>3}/{total[kind]:<3}){mark(recall, TARGETS[kind]):<14}"
              f" {exact[kind]:>4}      {extra[kind]}")
    print(f"  被误遮的保留串：金额/日期/订单号 {keep_wrong_ado} / {keep_ado_total}"
          f"{'  ✓' if keep_wrong_ado == 0 else '  ✗ (目标 0)'}；全部保留串 {keep_wrong} / {keep_total}"
          + (f"（{'、'.join(wrong_examples[:5])}）" if wrong_examples else ""))


def best_rate(function, texts: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            function(text)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def speed(texts: list[str], mask_texts: list[str], rounds: int):
    from fangxin.triage.classifier import classify
    from fangxin.triage.features import jieba_module
    from fangxin.triage.masking import mask

    jieba = jieba_module()
    classify(texts[0])  # warm: model loaded, reference read
    table = str.maketrans({"1": "*"})
    anchor = best_rate(jieba.lcut, texts, rounds)
    triage_rate = best_rate(lambda text: classify(text, with_extraction=False), texts, rounds)
    full_rate = best_rate(classify, texts, rounds)
    scan = best_rate(lambda text: text.translate(table), mask_texts, rounds)
    mask_rate = best_rate(mask, mask_texts, rounds)
    print(f"速度（单核，{len(texts)} 条投诉文本，平均 {sum(map(len, texts)) / len(texts):.0f} 字；取 {rounds} 轮最快）")
    print(f"  锚点 jieba.lcut           {anchor:>8.0f} 条/秒")
    print(f"  classify（--jsonl 所用）  {triage_rate:>8.0f} 条/秒  = 锚点的 {triage_rate / anchor:.2f} 倍"
          f"{mark(triage_rate, TARGETS['texts_per_second'])}")
    print(f"  classify（含信息提取）    {full_rate:>8.0f} 条/秒  = 锚点的 {full_rate / anchor:.2f} 倍")
    print(f"  锚点 str.translate        {scan:>8.0f} 条/秒（遮盖文本 {len(mask_texts)} 条）")
    print(f"  mask                      {mask_rate:>8.0f} 条/秒  = 锚点的 {mask_rate / scan:.3f} 倍")


def main():
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    corpus = read(DATA / "corpus.jsonl", args.split)
    masking_rows = read(DATA / "masking.jsonl", args.split)
    print(f"划分：{args.split}")
    classification(corpus)
    masking_eval(masking_rows)
    speed([row["text"] for row in corpus], [row["text"] for row in masking_rows], args.rounds)


if __name__ == "__main__":
    main()
