"""The article workflow as an explicit transition table.

draft → submitted → published, or → returned (with a reason) → submitted again; a published article may be
withdrawn (with a reason), and a withdrawn or returned one edited and submitted again. The author submits, a
reviewer (not the author) publishes, returns or withdraws."""

from fangxin.core.transitions import StateMachine

from .choices import ArticleStatus

S = ArticleStatus
ARTICLE_FLOW = StateMachine("article", {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.PUBLISHED, S.RETURNED},
    S.RETURNED: {S.SUBMITTED},
    S.PUBLISHED: {S.WITHDRAWN},
    S.WITHDRAWN: {S.SUBMITTED},
}, labels=ArticleStatus)

ACTION_LABELS = {S.SUBMITTED: "提交审核", S.PUBLISHED: "审核通过并发布", S.RETURNED: "退回修改",
                 S.WITHDRAWN: "撤回（取消发布）"}
REASON_REQUIRED = frozenset({S.RETURNED, S.WITHDRAWN})
REVIEW_STEPS = frozenset({S.PUBLISHED, S.RETURNED, S.WITHDRAWN})
