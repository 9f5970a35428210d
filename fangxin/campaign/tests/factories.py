from fangxin.campaign.choices import DisplayMethod
from fangxin.campaign.services import enrollment_create
from fangxin.core.actors import Actor
from fangxin.organisation.selectors import current_commitment


def make_enrollment(entity, *, specific=(), display_method=DisplayMethod.IN_STORE, actor=None):
    return enrollment_create(actor=actor or Actor.system("test"), entity=entity,
                             commitment_version=current_commitment().version, specific_codes=list(specific),
                             display_method=display_method, signed_name="王建国", agreed=True)
