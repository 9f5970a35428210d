from django import template

from ..choices import ProblemType

register = template.Library()
_LABELS = dict(ProblemType.choices)


@register.filter
def problem_labels(codes) -> str:
    return "、".join(_LABELS.get(code, code) for code in (codes or [])) or "—"


@register.filter
def score(value) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "—"
