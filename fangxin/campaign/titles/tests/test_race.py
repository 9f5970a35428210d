"""Two sign-offs racing (issue 6, item 4): the lead department and the consumer association sign the same
application at the same moment, from two threads with their own database connections. The application is
concluded exactly once — one 'conclude' timeline entry and one PASSED transition in the audit log.

Meaningful on PostgreSQL (`DATABASE_URL=postgres://… pytest fangxin/campaign/titles/tests/test_race.py`), where
the row lock in review_sign makes the second sign-off wait for the first; on SQLite the IMMEDIATE transactions
queue the writers, so the test passes there too. The scores check is slowed down inside the transaction so that,
without the lock, the two transactions would overlap: each would see only its own review and neither would
conclude (or both would)."""

import threading
import time

import pytest
from django.db import connections

from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import ApplicationStatus
from fangxin.campaign.titles.models import Application, ApplicationEvent, Review
from fangxin.campaign.titles.tests.factories import full_marks, make_application, open_cycle
from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord


def _race(application, users) -> list[Exception]:
    start, errors = threading.Barrier(2), []

    def sign(user):
        try:
            start.wait(timeout=10)
            services.review_sign(actor=Actor.for_user(user), application=application,
                                 scores=full_marks(application.standard), decision="approve", opinion="同意推荐")
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(users[name],)) for name in ("department", "association")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a sign-off never finished"
    return errors


def test_concurrent_sign_offs_conclude_the_application_exactly_once(transactional_db, users, entities, monkeypatch):
    open_cycle()
    applications = [make_application(entities["a_food"]), make_application(entities["b_food"])]
    real_scores = services._scores

    def slow_scores(*args, **kwargs):
        time.sleep(0.3)  # inside the transaction, after the row lock: widens the window a missing lock would leave
        return real_scores(*args, **kwargs)

    monkeypatch.setattr(services, "_scores", slow_scores)

    for application in applications:
        assert _race(application, users) == []
        application = Application.objects.get(pk=application.pk)
        assert application.status == ApplicationStatus.PASSED
        assert Review.objects.filter(application=application).count() == 2

        assert ApplicationEvent.objects.filter(application=application, action="conclude").count() == 1
        assert ApplicationEvent.objects.filter(application=application, to_status=ApplicationStatus.PASSED).count() == 1
        assert ApplicationEvent.objects.filter(application=application,
                                               to_status=ApplicationStatus.REVIEWING).count() == 1

        records = AuditRecord.objects.filter(object_type__endswith="application", object_id=str(application.pk))
        to_status = [(r.action, (r.changes.get("status") or [None, None])[1]) for r in records]
        assert to_status.count(("campaign.application.conclude", ApplicationStatus.PASSED)) == 1
        assert [s for _, s in to_status].count(ApplicationStatus.PASSED) == 1
        assert [a for a, _ in to_status].count("campaign.application.conclude") == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_role_racing_itself_signs_once(users, entities):
    """Two tabs of one reviewer: one sign-off is recorded, the other is refused with a message."""
    open_cycle()
    application = make_application(entities["a_food"])
    start, outcomes = threading.Barrier(2), []

    def sign():
        try:
            start.wait(timeout=10)
            services.review_sign(actor=Actor.for_user(users["department"]), application=application,
                                 scores=full_marks(application.standard), decision="approve", opinion="同意")
            outcomes.append("signed")
        except Exception as exc:
            outcomes.append(getattr(exc, "message", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == sorted(["signed", "行业牵头部门已经签署过该申报的评审意见。"])
    assert Review.objects.filter(application=application).count() == 1
