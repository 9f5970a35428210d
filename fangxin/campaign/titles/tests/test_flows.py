"""The application state machine under random use (hypothesis): whatever sequence of service calls is made, no
application ever leaves APPLICATION_FLOW, every status change is an allowed edge with its one timeline entry and
audit record, and every refused call writes nothing. Plus the illegal transitions one by one."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import ApplicationStatus as S
from fangxin.campaign.titles.flows import APPLICATION_FLOW
from fangxin.campaign.titles.models import Application, ApplicationEvent, Objection, Publicity, Title
from fangxin.campaign.titles.tests.factories import (
    SYSTEM,
    award,
    full_marks,
    make_application,
    open_cycle,
    sign_both,
    standard_for,
)
from fangxin.campaign.titles.tests.helpers import rows
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, TransitionNotAllowed
from fangxin.core.models import AuditRecord

PUBLIC = Actor.system("public")


@pytest.fixture
def flow_world(users, entities):
    from fangxin.accounts.tests.factories import make_user
    from fangxin.merchants.tests.factories import make_entity

    cycle = open_cycle()
    food = [entities["a_food"], make_entity(county="150802", sector="food_drug", name="临河区第二家超市"),
            entities["b_food"]]
    for entity in food:
        make_enrollment(entity)
        standard_for(entity)
    conflicted = make_user("conflicted", "consumer_association", region="150800", department="cca")
    services.conflict_declare(actor=Actor.for_user(conflicted), entity=food[1], reason="亲属经营")
    actors = {name: Actor.for_user(users[name]) for name in ("department", "association", "county_a", "office")}
    actors["conflicted"] = Actor.for_user(conflicted)
    return {"cycle": cycle, "entities": food, "actors": actors, "users": users}


def _pick(rows, index, prefer=None):
    """The index-th of the rows that `prefer` likes (so that most steps act where they can), else of all rows."""
    rows = list(rows)
    liked = [row for row in rows if prefer(row)] if prefer else []
    pool = liked or rows
    return pool[index % len(pool)] if pool else None


def _application(index, *statuses):
    return _pick(Application.objects.order_by("pk"), index, lambda a: a.status in statuses)


def _state():
    statuses = dict(Application.objects.values_list("pk", "status"))
    events = {pk: list(ApplicationEvent.objects.filter(application_id=pk).order_by("id").values_list(
        "id", "from_status", "to_status", "action")) for pk in statuses}
    audits = {pk: AuditRecord.objects.filter(object_type="campaign.application", object_id=str(pk)).count()
              for pk in statuses}
    return statuses, events, audits


INDEX = st.integers(0, 5)


class ApplicationMachine(RuleBasedStateMachine):
    """Random service calls on a few applications of one open cycle. Each rule performs one call and returns
    {application pk: timeline entries it must add}; `_step` checks the call against the flow and the records."""

    def __init__(self, world):
        super().__init__()
        self.world, self.actors, self.entities = world, world["actors"], world["entities"]
        self.reached = set()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _step(self, name, call):
        before_rows = rows()
        statuses, events, audits = _state()
        try:
            with transaction.atomic():
                expected = call()
        except FangxinError as exc:
            assert rows() == before_rows, f"refused {name} wrote something: {exc.message}"
            if isinstance(exc, TransitionNotAllowed):
                assert not APPLICATION_FLOW.can(exc.details["from"], exc.details["to"])
            return
        after, new_events, new_audits = _state()
        for pk, status in after.items():
            assert status in APPLICATION_FLOW.states, status
            self.reached.add(status)
            added = new_events[pk][len(events.get(pk, [])):]
            assert len(added) == expected.get(pk, 0), (name, pk, added)
            moves = [(f, t) for _, f, t, _ in added if t]
            old = statuses.get(pk)
            if old is None:  # just submitted
                assert moves == [("", S.SUBMITTED)] and status == S.SUBMITTED
            elif old == status:
                assert moves == []
            else:
                assert moves == [(old, status)] and APPLICATION_FLOW.can(old, status), (name, old, status)
            # one audit record per status change, and one for the second sign-off's own entry
            review_entries = sum(1 for _, _, t, action in added if action == "review" and not t)
            assert new_audits[pk] - audits.get(pk, 0) == len(moves) + review_entries, (name, added)
            # the last status-changing entry of the timeline is where the application is
            assert [t for _, _, t, _ in new_events[pk] if t][-1] == status
        assert rows()["AuditRecord"] > before_rows["AuditRecord"], f"{name} succeeded without an audit record"

    @initialize(stage=st.sampled_from(("", "passed", "publicity", "publicity", "awarded")))
    def head_start(self, stage):
        """Most walks start with one application already some way along (walked there by the real services), so
        that the later steps are reached as often as the early ones."""
        if not stage:
            return
        users = self.world["users"]
        application = sign_both(make_application(self.entities[0], enroll=False), users["department"],
                                users["association"])
        if stage == "publicity":
            services.publicity_open(actor=self.actors["office"], cycle=self.world["cycle"], level="county",
                                    region=application.region)
        elif stage == "awarded":
            award(application, users["office"])
        self.reached |= set(Application.objects.values_list("status", flat=True))

    @rule(index=INDEX)
    def submit(self, index):
        entity = self.entities[index % len(self.entities)]

        def call():
            application = services.application_submit(actor=SYSTEM, entity=entity, level="county",
                                                      self_scores=full_marks(standard_for(entity)), statement="")
            return {application.pk: 1}
        self._step("submit", call)

    @precondition(lambda self: Application.objects.exists())
    @rule(index=INDEX, live=st.sampled_from((False, False, False, True)))
    def withdraw(self, index, live):
        """Mostly tried on applications past the point of withdrawal (refused), sometimes on a live one."""
        statuses = (S.SUBMITTED, S.REVIEWING, S.PASSED) if live else (
            S.PUBLICITY, S.AWARDED, S.FAILED, S.REMOVED, S.WITHDRAWN, S.REVOKED)
        application = _application(index, *statuses)

        def call():
            services.application_withdraw(actor=SYSTEM, application=application, reason="撤回")
            return {application.pk: 1}
        self._step("withdraw", call)

    @precondition(lambda self: Application.objects.exists())
    @rule(index=INDEX, who=st.sampled_from(("next",) * 4 + ("department", "association", "county_a", "conflicted")),
          share=st.sampled_from((1.0, 0.9, 0.5)), approve=st.sampled_from((True, True, False)))
    def sign(self, index, who, share, approve):
        application = _application(index, S.SUBMITTED, S.REVIEWING)
        if who == "next":  # the side that has not signed yet
            who = "association" if application.reviews.filter(role="lead_department").exists() else "department"
        second = application.status == S.REVIEWING

        def call():
            services.review_sign(actor=self.actors[who], application=application, opinion="核对",
                                 scores=full_marks(application.standard, share),
                                 decision="approve" if approve else "reject")
            return {application.pk: 2 if second else 1}
        self._step("sign", call)

    @precondition(lambda self: Application.objects.filter(status=S.PASSED).exists())
    @rule(index=INDEX)
    def publicity(self, index):
        region = _application(index, S.PASSED).region

        def call():
            publicity = services.publicity_open(actor=self.actors["office"], cycle=self.world["cycle"],
                                                level="county", region=region)
            return {pk: 1 for pk in publicity.candidates.values_list("pk", flat=True)}
        self._step("publicity", call)

    @precondition(lambda self: Publicity.objects.filter(closed_at__isnull=True).exists())
    @rule(days=st.sampled_from((0, 0, 0, 10)))
    def time_passes(self, days):
        """Not a service: the clock moves on, sometimes past every open publicity period."""
        if not days:
            return
        today = timezone.localdate()
        Publicity.objects.filter(closed_at__isnull=True).update(starts_on=today - timedelta(days=9),
                                                                ends_on=today - timedelta(days=1))

    @precondition(lambda self: Application.objects.filter(publicity__isnull=False).exists())
    @rule(index=INDEX, phone=st.sampled_from(("13800001234",) * 3 + ("", "12345")))
    def object(self, index, phone):
        application = _application(index, S.PUBLICITY)

        def call():
            services.objection_file(actor=PUBLIC, application=application, name="张三", contact_phone=phone,
                                    content="有异议")
            return {application.pk: 1}
        self._step("object", call)

    @precondition(lambda self: Objection.objects.exists())
    @rule(index=INDEX, upheld=st.booleans())
    def answer(self, index, upheld):
        objection = _pick(Objection.objects.order_by("pk"), index, lambda o: o.status == "pending")

        def call():
            services.objection_answer(actor=self.actors["office"], objection=objection, upheld=upheld, answer="已核查")
            return {objection.application_id: 1}
        self._step("answer", call)

    @precondition(lambda self: Publicity.objects.exists())
    @rule(index=INDEX)
    def award(self, index):
        publicity = _pick(Publicity.objects.order_by("pk"), index, lambda p: p.closed_at is None)
        remaining = list(publicity.candidates.filter(status=S.PUBLICITY).values_list("pk", flat=True))

        def call():
            services.publicity_award(actor=self.actors["office"], publicity=publicity)
            return {pk: 1 for pk in remaining}
        self._step("award", call)

    @precondition(lambda self: Title.objects.exists())
    @rule(index=INDEX)
    def revoke(self, index):
        title = _pick(Title.objects.order_by("pk"), index, lambda t: t.status == "valid")

        def call():
            services.title_revoke(actor=self.actors["office"], title=title, reason="违反承诺")
            return {title.application_id: 1}
        self._step("revoke", call)


def test_random_action_sequences_stay_inside_the_flow(flow_world):
    reached = set()

    def machine():
        instance = ApplicationMachine(flow_world)
        reached_by_run.append(instance.reached)
        return instance

    reached_by_run = []
    run_state_machine_as_test(machine, settings=settings(
        max_examples=40, stateful_step_count=20, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
    for run in reached_by_run:
        reached |= run
    # the random walks did get everywhere (else the checks above proved little)
    assert reached == set(S.values), set(S.values) - reached


# --- illegal transitions, one by one ---------------------------------------------------------------------------

def _reach(status, users, entities):
    """An application of a_food in `status`, walked there through the services."""
    application = make_application(entities["a_food"])
    if status == S.SUBMITTED:
        return application
    if status == S.WITHDRAWN:
        return services.application_withdraw(actor=SYSTEM, application=application, reason="撤回")
    if status == S.REVIEWING:
        services.review_sign(actor=Actor.for_user(users["department"]), application=application,
                             scores=full_marks(application.standard), decision="approve", opinion="好")
        application.refresh_from_db()
        return application
    if status == S.FAILED:
        return sign_both(application, users["department"], users["association"], share=0.5)
    application = sign_both(application, users["department"], users["association"])
    if status == S.PASSED:
        return application
    if status in (S.AWARDED, S.REVOKED):
        title = award(application, users["office"])
        if status == S.REVOKED:
            services.title_revoke(actor=Actor.for_user(users["office"]), title=title, reason="违规")
        application.refresh_from_db()
        return application
    services.publicity_open(actor=Actor.for_user(users["office"]), cycle=application.cycle, level="county",
                            region=application.region)
    application.refresh_from_db()
    if status == S.REMOVED:
        objection = services.objection_file(actor=PUBLIC, application=application, name="张三",
                                            contact_phone="13800001234", content="不实")
        services.objection_answer(actor=Actor.for_user(users["office"]), objection=objection, upheld=True,
                                  answer="成立")
        application.refresh_from_db()
    return application


def _refused_transition(call, **kwargs):
    before = rows()
    with pytest.raises(TransitionNotAllowed) as caught:
        call(**kwargs)
    assert rows() == before
    assert caught.value.status == 409 and caught.value.code == "transition_not_allowed"
    return caught.value


@pytest.mark.parametrize("status", [S.PUBLICITY, S.AWARDED, S.REMOVED, S.FAILED, S.WITHDRAWN, S.REVOKED])
def test_withdrawing_is_refused_once_past_review(users, entities, status):
    open_cycle()
    application = _reach(status, users, entities)
    assert application.status == status
    error = _refused_transition(services.application_withdraw, actor=SYSTEM, application=application)
    assert error.details == {"machine": "application", "from": str(status), "to": "withdrawn",
                             "allowed": sorted(APPLICATION_FLOW.allowed(status))}
    assert "不能从" in error.message and S(status).label in error.message


@pytest.mark.parametrize("status", [S.PASSED, S.FAILED, S.PUBLICITY, S.AWARDED, S.REMOVED, S.WITHDRAWN, S.REVOKED])
def test_reviewing_is_refused_once_the_level_is_decided(users, entities, status):
    from fangxin.accounts.tests.factories import make_user

    open_cycle()
    application = _reach(status, users, entities)
    fresh = make_user("fresh_association", "consumer_association", region="150800", department="cca")
    error = _refused_transition(services.review_sign, actor=Actor.for_user(fresh), application=application,
                                scores=full_marks(application.standard), decision="approve", opinion="好")
    assert error.details == {"machine": "application", "from": str(status), "to": "reviewing",
                             "allowed": sorted(APPLICATION_FLOW.allowed(status))}


def test_the_flow_table_itself():
    assert APPLICATION_FLOW.states == set(S.values)
    finals = {state for state in S.values if APPLICATION_FLOW.is_final(state)}
    assert finals == {S.FAILED, S.REMOVED, S.WITHDRAWN, S.REVOKED}
    with pytest.raises(TransitionNotAllowed) as caught:
        APPLICATION_FLOW.check(S.SUBMITTED, S.AWARDED)
    assert caught.value.details == {"machine": "application", "from": "submitted", "to": "awarded",
                                    "allowed": ["reviewing", "withdrawn"]}
