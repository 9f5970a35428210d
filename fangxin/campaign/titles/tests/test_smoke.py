from fangxin.campaign.titles.choices import ApplicationStatus
from fangxin.campaign.titles.tests.factories import award, make_application, open_cycle, sign_both


def test_county_application_to_award(users, entities):
    open_cycle()
    application = make_application(entities["a_food"])
    assert application.status == ApplicationStatus.SUBMITTED
    application = sign_both(application, users["department"], users["association"])
    assert application.status == ApplicationStatus.PASSED, application.events.last().note
    title = award(application, users["office"])
    assert title.name.endswith("临河区放心消费示范单位")
