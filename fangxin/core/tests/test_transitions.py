import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangxin.core.exceptions import TransitionNotAllowed
from fangxin.core.transitions import StateMachine

FLOW = StateMachine("demo", {"draft": {"submitted"}, "submitted": {"accepted", "rejected"}, "accepted": {"closed"}})


def test_allowed_and_refused_transitions():
    FLOW.check("draft", "submitted")
    with pytest.raises(TransitionNotAllowed) as caught:
        FLOW.check("draft", "closed")
    assert caught.value.status == 409
    assert caught.value.details == {"machine": "demo", "from": "draft", "to": "closed", "allowed": ["submitted"]}
    assert FLOW.is_final("closed") and FLOW.is_final("rejected")
    assert FLOW.states == {"draft", "submitted", "accepted", "rejected", "closed"}


@given(st.lists(st.sampled_from(["draft", "submitted", "accepted", "rejected", "closed"]), max_size=12))
def test_a_walk_only_ever_follows_declared_edges(targets):
    state, path = "draft", ["draft"]
    for target in targets:
        if FLOW.can(state, target):
            FLOW.check(state, target)
            state = target
            path.append(state)
        else:
            with pytest.raises(TransitionNotAllowed):
                FLOW.check(state, target)
    for source, target in itertools.pairwise(path):
        assert target in FLOW.transitions[source]
    assert len(path) <= 4  # the longest path in the declared graph
