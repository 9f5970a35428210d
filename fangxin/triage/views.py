from django.core.paginator import Paginator
from django.shortcuts import render

from fangxin.workbench.decorators import page_for

from . import selectors
from .choices import ProblemType

PAGE_SIZE = 25
SCORE_TARGETS = (("sector_accuracy", "行业准确率", 0.92), ("sector_macro_f1", "行业宏平均 F1", None),
                 ("problem_micro_f1", "问题类型微平均 F1", 0.80))


@page_for(selectors.can_read_triage)
def scores(request):
    current = selectors.current_model_scores(user=request.user)
    rows = [{"label": label, "value": current["scores"].get(key), "target": target,
             "met": target is None or (current["scores"].get(key) or 0) >= target} for key, label, target in SCORE_TARGETS]
    corrections = Paginator(selectors.corrections_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "triage/scores.html", {
        "current": current, "rows": rows, "versions": selectors.model_versions(user=request.user)[:10],
        "page": corrections, "problem_labels": dict(ProblemType.choices)})
