"""Fixtures shared by every app's tests: reference data, one user per role, entities in two counties."""

import pytest
from django.conf import settings

from fangxin.core.actors import Actor


@pytest.fixture
def reference(db):
    from fangxin.complaints import rules
    from fangxin.complaints.models import RuleReason, RuleSet
    from fangxin.organisation.services import reference_load

    # The rule sets come from a data migration, which live-server (transactional) tests flush: reinstall.
    rules.install(RuleSet, RuleReason)
    return reference_load(actor=Actor.system("test"), directory=settings.FANGXIN_REFERENCE_DIR)


@pytest.fixture
def entities(reference):
    """Four entities: 临河区 (county A) ecommerce and food_drug, 五原县 (county B) food_drug and tourism."""
    from fangxin.merchants.tests.factories import make_entity

    return {
        "a_ecommerce": make_entity(county="150802", sector="ecommerce", name="临河区乐购电商旗舰店"),
        "a_food": make_entity(county="150802", sector="food_drug", name="临河区华联超市"),
        "b_food": make_entity(county="150821", sector="food_drug", name="五原县华联生鲜超市"),
        "b_tourism": make_entity(county="150821", sector="tourism", name="五原县河套国际旅行社"),
    }


@pytest.fixture
def users(entities):
    from fangxin.accounts.tests.factories import make_user

    return {
        "merchant": make_user("merchant", "merchant", entities=[entities["a_food"]]),
        "county_a": make_user("county_a", "county_staff", region="150802"),
        "county_b": make_user("county_b", "county_staff", region="150821"),
        "department": make_user("department", "department_staff", region="150800", department="fda"),
        "association": make_user("association", "consumer_association", region="150800", department="cca"),
        "office": make_user("office", "joint_office", region="150800", department="amr"),
        "auditor": make_user("auditor", "auditor"),
        "sysadmin": make_user("sysadmin", "sysadmin"),
    }
