"""Enrollments (创建单位) with signed badges, their timeline and chosen specific commitments; the entity's own
credit events (penalties, commitment breaches, inspections). Continues each entity's generator, so a business's
enrollment and ledger follow from its index alone."""

from datetime import timedelta

from fangxin.campaign import badges
from fangxin.campaign.choices import DisplayMethod, EnrollmentStatus
from fangxin.campaign.demo import LATER_STATUS
from fangxin.campaign.services import ACTION_NAMES, SERIAL_ALPHABET
from fangxin.credit.choices import EventKind
from fangxin.credit.demo import BREACH_SHARE, BREACHES, PENALTIES, PENALTY_SHARE
from fangxin.merchants.choices import OperatingStatus

from .context import Context, aware
from .entities import EntityRow, encode

ENROLLMENT_FIELDS = ["id", "entity", "serial", "commitment", "display_method", "status", "signed_name", "signed_by",
                     "signed_at", "badge_revision", "badge_kid", "badge_token", "badge_issued_on", "created_at",
                     "updated_at"]
EVENT_FIELDS = ["id", "enrollment", "at", "action", "from_status", "to_status", "reason", "actor_name"]
M2M_FIELDS = ["id", "enrollment", "specificcommitment"]
CREDIT_FIELDS = ["id", "entity", "kind", "occurred_on", "detail", "source_ref", "document_number", "authority",
                 "recorded_at", "repairs"]
LATER_SHARE = 0.03          # of enrollments later suspended, revoked or withdrawn (LATER_STATUS in turn)
INSPECTED_SHARE = 0.06      # of businesses with a 双随机 inspection result in the ledger
INSPECTION_FAIL_SHARE = 0.12
ENTITY_EVENT_STRIDE = 3     # credit-event keys per business: penalty, breach, inspection
EVENT_STRIDE = 2            # enrollment-event keys per enrollment
M2M_STRIDE = 4              # specific commitments per enrollment, at most


class EnrollmentMaker:
    def __init__(self, ctx: Context, *, commitment, specific_ids: list[int], keyring):
        self.ctx, self.commitment, self.specific_ids, self.keyring = ctx, commitment, specific_ids, keyring

    def make(self, item: EntityRow, out: dict) -> None:
        """Append the business's enrollment rows and own credit events to `out` (lists keyed by table)."""
        rng, entity, ids = item.rng_state, item.entity, self.ctx.ids
        enrolled = rng.random() < self.ctx.scale.enrollment_share
        if enrolled and entity.operating_status == OperatingStatus.OPERATING:
            self._enrollment(item, out)
        authority = f"{entity.region.name}市场监督管理局"
        base = ids.credit_event + item.index * ENTITY_EVENT_STRIDE
        if rng.random() < PENALTY_SHARE:
            on = self.ctx.today - timedelta(days=rng.randint(10, 1000))
            wrong, basis = rng.choice(PENALTIES)
            document = f"{entity.region.name[:2]}市监处罚〔{on.year}〕G{item.index}号"
            out["credit"].append((base, entity.pk, EventKind.PENALTY, on, f"{wrong}，依据{basis}处以罚款",
                                  f"penalty:gen:{item.index}", document, authority, aware(on, 600), None))
        if rng.random() < BREACH_SHARE:
            on = self.ctx.today - timedelta(days=rng.randint(5, 300))
            out["credit"].append((base + 1, entity.pk, EventKind.COMMITMENT_BREACH, on, rng.choice(BREACHES),
                                  f"breach:gen:{item.index}", "", "", aware(on, 600), None))
        if rng.random() < INSPECTED_SHARE:
            on = self.ctx.today - timedelta(days=rng.randint(5, 1000))
            failed = rng.random() < INSPECTION_FAIL_SHARE
            kind = EventKind.INSPECTION_FAILED if failed else EventKind.INSPECTION_PASSED
            detail = "双随机抽查：发现问题，责令整改" if failed else "双随机抽查：未发现问题"
            out["credit"].append((base + 2, entity.pk, kind, on, detail, f"inspection:gen:{item.index}", "",
                                  authority, aware(on, 600), None))

    def _enrollment(self, item: EntityRow, out: dict) -> None:
        rng, entity, ids = item.rng_state, item.entity, self.ctx.ids
        pk = ids.enrollment + item.index
        signed_on = max(entity.created_at.date(), self.ctx.today - timedelta(days=rng.randint(1, 3 * 365)))
        signed_at = aware(signed_on, rng.randint(0, 540))
        serial = f"FX{entity.region.code}-" + encode(item.index, SERIAL_ALPHABET, 7)
        token, kid = badges.sign(self.keyring, serial=serial, uscc=entity.uscc, issued_on=signed_on, revision=1)
        method = DisplayMethod.BOTH if entity.online_shop_url else DisplayMethod.IN_STORE
        status, later = EnrollmentStatus.ACTIVE, None
        if rng.random() < LATER_SHARE:
            later = LATER_STATUS[rng.randrange(len(LATER_STATUS))]
            status = later[0]
        changed_at = aware(min(self.ctx.today, signed_on + timedelta(days=rng.randint(30, 400))), 300)
        out["enrollment"].append((pk, entity.pk, serial, self.commitment.pk, method, status,
                                  entity.legal_representative or "经营者", None, signed_at, 1, kid, token, signed_on,
                                  signed_at, changed_at if later else signed_at))
        event = ids.enrollment_event + item.index * EVENT_STRIDE
        out["enrollment_event"].append((event, pk, signed_at, "登记", "", EnrollmentStatus.ACTIVE,
                                        f"签署统一承诺第 {self.commitment.version} 版", "经营者"))
        if later:
            out["enrollment_event"].append((event + 1, pk, changed_at, ACTION_NAMES[later[0]],
                                            EnrollmentStatus.ACTIVE, later[0], later[1], "市场监管局"))
        chosen = rng.sample(self.specific_ids, k=min(len(self.specific_ids), rng.choice((0, 1, 1, 2, 3))))
        m2m = ids.enrollment_commitment + item.index * M2M_STRIDE
        out["enrollment_commitment"] += [(m2m + n, pk, sid) for n, sid in enumerate(sorted(chosen))]
