from .choices import ListKind
from .models import ListEntry


def current_entries(entity):
    return ListEntry.objects.current().filter(entity=entity)


def enrollment_blockers(entity) -> list[str]:
    """Reasons, in Chinese, why this business may not join the campaign now (empty when it may)."""
    reasons = []
    for entry in current_entries(entity).filter(kind=ListKind.SERIOUS):
        reasons.append(f"已被列入严重违法失信名单（{entry.authority} {entry.document_number}，{entry.entered_on:%Y年%-m月%-d日}）")
    return reasons
