"""Demo enrollments: about a third of the demo entities, a few suspended, revoked or withdrawn."""

from fangxin.merchants.models import MarketEntity
from fangxin.organisation.models import SpecificCommitment
from fangxin.organisation.selectors import current_commitment

from .choices import DisplayMethod, EnrollmentStatus
from .models import Enrollment
from .services import enrollment_create, enrollment_transition

LATER_STATUS = [(EnrollmentStatus.SUSPENDED, "消费投诉集中，限期整改"),
                (EnrollmentStatus.REVOKED, "违反统一承诺，拒不履行七日无理由退货"),
                (EnrollmentStatus.WITHDRAWN, "经营者申请退出")]


def load(*, rng, actor, stdout=None) -> int:
    commitment = current_commitment()
    codes = list(SpecificCommitment.objects.values_list("code", flat=True))
    enrolled = set(Enrollment.objects.values_list("entity_id", flat=True))
    created = 0
    for index, entity in enumerate(MarketEntity.objects.order_by("uscc").iterator()):
        if index % 3 != 0:
            continue
        chosen = rng.sample(codes, k=rng.randint(0, 3))
        method = DisplayMethod.BOTH if entity.online_shop_url else DisplayMethod.IN_STORE
        later = LATER_STATUS[index // 3 % len(LATER_STATUS)] if index % 97 == 0 else None
        if entity.pk in enrolled:
            continue
        enrollment = enrollment_create(actor=actor, entity=entity, commitment_version=commitment.version,
                                       specific_codes=chosen, display_method=method,
                                       signed_name=entity.legal_representative or "经营者", agreed=True)
        if later:
            enrollment_transition(actor=actor, enrollment=enrollment, to_status=later[0], reason=later[1])
        created += 1
    if stdout is not None and created:
        stdout.write(f"演示创建单位：新增 {created} 家")
    return created
