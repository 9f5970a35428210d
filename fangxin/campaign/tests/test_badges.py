import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.campaign import badge_keys, badges, rendering
from fangxin.campaign.choices import BadgeStatus
from fangxin.campaign.services import badge_check, badge_reissue, badge_report_create, enrollment_transition
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.core.actors import Actor
from fangxin.merchants.services import entity_update

SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def isolated_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("FANGXIN_BADGE_KEYS_FILE", str(tmp_path / "badge-keys.json"))
    monkeypatch.delenv("FANGXIN_BADGE_KEYS", raising=False)


def flip(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1:]


@pytest.mark.django_db
def test_the_key_file_is_private_and_the_public_document_has_no_secret(tmp_path):
    keyring = badge_keys.load_keyring()
    path = Path(os.environ["FANGXIN_BADGE_KEYS_FILE"])
    assert path.stat().st_mode & 0o777 == 0o600
    document = keyring.published()
    assert document["keys"][0]["kid"] == keyring.active
    assert "private" not in json.dumps(document)


@pytest.mark.django_db
def test_a_genuine_badge_shows_each_live_status(users, entities):
    enrollment = make_enrollment(entities["a_food"])
    token = enrollment.badge_token
    assert badge_check(token).verdict == BadgeStatus.VALID
    enrollment_transition(actor=SYSTEM, enrollment=enrollment, to_status="suspended", reason="整改")
    assert badge_check(token).verdict == BadgeStatus.SUSPENDED
    enrollment_transition(actor=SYSTEM, enrollment=enrollment, to_status="revoked", reason="违规")
    assert badge_check(token).verdict == BadgeStatus.REVOKED


@pytest.mark.django_db
def test_withdrawal_a_closed_business_and_a_reissue_make_old_badges_expired(entities):
    withdrawn = make_enrollment(entities["a_food"])
    enrollment_transition(actor=SYSTEM, enrollment=withdrawn, to_status="withdrawn", reason="退出")
    assert badge_check(withdrawn.badge_token).verdict == BadgeStatus.EXPIRED
    closing = make_enrollment(entities["b_food"])
    entity_update(actor=SYSTEM, entity=entities["b_food"], operating_status="cancelled")
    assert badge_check(closing.badge_token).verdict == BadgeStatus.EXPIRED
    reissued = make_enrollment(entities["b_tourism"])
    old_token = reissued.badge_token
    reissued = badge_reissue(actor=SYSTEM, enrollment=reissued, reason="海报丢失")
    assert badge_check(old_token).verdict == BadgeStatus.EXPIRED
    assert badge_check(reissued.badge_token).verdict == BadgeStatus.VALID


@pytest.mark.django_db
def test_rotation_keeps_old_badges_verifiable_and_signs_new_ones_with_the_new_key(entities):
    before = make_enrollment(entities["a_food"])
    new_kid = badge_keys.rotate()
    after = make_enrollment(entities["b_food"])
    assert after.badge_kid == new_kid != before.badge_kid
    assert badge_check(before.badge_token).verdict == BadgeStatus.VALID
    assert badge_check(after.badge_token).verdict == BadgeStatus.VALID


@pytest.mark.django_db
def test_a_forged_or_truncated_token_is_counterfeit(entities):
    token = make_enrollment(entities["a_food"]).badge_token
    for forged in (flip(token, 10), flip(token, len(token) - 5), token[:-10], token.split(".")[0], "", "x" * 2000,
                   token.replace(".", "..")):
        assert badge_check(forged).verdict == BadgeStatus.COUNTERFEIT, forged


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(min_value=0), junk=st.text(max_size=50))
@pytest.mark.django_db
def test_any_single_character_change_is_caught(entities, index, junk):
    from fangxin.campaign.models import Enrollment

    enrollment = Enrollment.objects.first() or make_enrollment(entities["a_food"])
    token = enrollment.badge_token
    position = index % len(token)
    forged = flip(token, position)
    if forged == token:
        return
    assert badge_check(forged).verdict == BadgeStatus.COUNTERFEIT  # even where the bytes decode the same
    assert badge_check(junk).verdict == BadgeStatus.COUNTERFEIT


def test_the_url_or_the_bare_token_are_both_accepted():
    assert badges.extract_token("http://127.0.0.1:8000/v/abc.def") == "abc.def"
    assert badges.extract_token("https://fangxin.example.cn/v/abc.def/") == "abc.def"
    assert badges.extract_token("  abc.def ") == "abc.def"


@pytest.mark.django_db
def test_the_command_verifies_offline_with_a_published_keys_file(entities, tmp_path, capsys):
    enrollment = make_enrollment(entities["a_food"])
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(badge_keys.load_keyring().published()))
    call_command("badge", "verify", rendering.verification_url(enrollment), "--keys", str(keys_file))
    assert "签名有效" in capsys.readouterr().out
    with pytest.raises(SystemExit) as caught:
        call_command("badge", "verify", flip(enrollment.badge_token, 12), "--keys", str(keys_file))
    assert caught.value.code == 1
    assert "伪造" in capsys.readouterr().out


@pytest.mark.django_db
def test_poster_badge_images_and_snippet(entities):
    enrollment = make_enrollment(entities["a_food"], specific=["offline_7day_return"])
    pdf = rendering.poster_pdf(enrollment)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    png = rendering.badge_png(enrollment)
    assert png.startswith(b"\x89PNG")
    svg = rendering.badge_svg(enrollment)
    assert svg.startswith("<svg") and "放心消费创建单位" in svg and enrollment.serial in svg
    snippet = rendering.online_snippet(enrollment)
    assert f"/v/{enrollment.badge_token}" in snippet and f"/b/{enrollment.serial}.svg" in snippet


@pytest.mark.django_db
def test_a_consumer_report_records_the_verdict(entities):
    token = make_enrollment(entities["a_food"]).badge_token
    report = badge_report_create(actor=Actor(user=None, name="公众", role="public"), token=flip(token, 20),
                                 where_seen="临河区新华街某店门口", description="店里贴的标志扫出来是伪造")
    assert report.verdict == BadgeStatus.COUNTERFEIT and report.enrollment is None
