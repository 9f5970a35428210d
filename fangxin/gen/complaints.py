"""Complaints and reports with their whole timeline, documents, mediation sessions and the credit events their
outcomes record — simulated step by step by the complaint demo's generator (fangxin.complaints.demo), fed one batch
at a time with businesses rebuilt from their index instead of a registry held in memory."""

from datetime import timedelta

from django.db.models import Field

from fangxin.complaints import demo, documents
from fangxin.complaints.choices import DocumentKind, Status
from fangxin.complaints.credit_feed import ground_allows_business_refusal, outcome_events, source_ref
from fangxin.complaints.models import (
    Complaint,
    ComplaintDocument,
    ComplaintEvent,
    MediationSession,
    RuleReason,
    RuleSet,
)
from fangxin.complaints.services import TRACKING_ALPHABET
from fangxin.core.crypto import blind_index
from fangxin.core.workdays import WorkCalendar
from fangxin.merchants.search import normalise

from .context import Context
from .entities import encode, entity

EVENT_STRIDE, DOCUMENT_STRIDE, SESSION_STRIDE, CREDIT_STRIDE = 16, 8, 4, 2
HOT_SHARE = 0.25     # of complaints naming one of the few businesses that draw many
HOT_EVERY = 500      # one business in HOT_EVERY is "hot"
POOL_DIVISOR = 8
TARGETS = [(t, w) for t, w in demo.TARGETS if t not in demo.OPERATOR_TARGETS]  # no merchant accounts: no operator-first
EVENT_FIELDS = ["id", "complaint", "at", "on", "action", "label", "from_status", "to_status", "actor_name", "note",
                "public"]
DOCUMENT_FIELDS = ["id", "complaint", "kind", "number", "issued_on", "issuer", "content"]
SESSION_FIELDS = ["id", "complaint", "held_on", "place", "mediator", "attendees", "summary", "recusal_requested",
                  "recusal_decision", "recorded_by", "recorded_at"]
COMPLAINT_FIELDS = [f.name for f in Complaint._meta.concrete_fields]
ATTNAMES = [f.attname for f in Complaint._meta.concrete_fields]
# Fields whose value save() derives (pre_save overridden), other than the auto_now timestamps set explicitly here.
COMPUTED = [f for f in Complaint._meta.concrete_fields
            if type(f).pre_save is not Field.pre_save and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)]


class BatchGenerator(demo.Generator):
    """The demo generator's state, minus the registry it loads: `prepare` gives it one batch's businesses."""

    def __init__(self, ctx: Context):  # the parent loads every business; this one none
        self.ctx, self.today, self.count = ctx, ctx.today, ctx.scale.complaints
        first = date_months_back(ctx.today, demo.YEARS)
        self.start = first
        self.days = demo.Days(WorkCalendar.load(), self.start - timedelta(days=30), ctx.today + timedelta(days=400))
        self.counties = ctx.counties
        self.county_by_code = {c.code: c for c in ctx.counties}
        self.sectors = {s.code: s for s in ctx.sectors}
        self.lead = {s.code: s.lead_departments.order_by("id").first() for s in ctx.sectors}
        self.rule_sets = list(RuleSet.objects.order_by("in_force_from"))
        self.reasons = {(r.rule_set_id, r.kind, r.number): r for r in RuleReason.objects.all()}
        self.staff, self.stations_by_county, self.all_stations = {}, {}, []
        self.eligible, self.eligible_weights, self._eligible_cache = [], None, set()
        self.used_tracking = set()
        self.day_list, self.cum_weights = [], []
        day, total = self.start, 0.0
        while day <= ctx.today:  # the demo's receipt-date weighting: later years and festival months more
            weight = 1.0 + 0.35 * (day - self.start).days / 365
            if day.month in (1, 2, 11) or (day.month == 6 and day.day >= 10):
                weight *= 1.3
            total += weight
            self.day_list.append(day)
            self.cum_weights.append(total)
            day += timedelta(days=1)
        self.index = 0

    def prepare(self, batch: int, size: int) -> None:
        ctx = self.ctx
        self.rng = ctx.rng("complaints", batch)
        self.refusal_seen, self.ground_seen = {}, {}
        n = ctx.scale.entities
        hot = max(1, n // HOT_EVERY)
        # a pool of an eighth of the batch: each business in it draws ~8 of the batch's complaints on average
        picks = [(self.rng.randrange(hot) * HOT_EVERY) if self.rng.random() < HOT_SHARE else self.rng.randrange(n)
                 for _ in range(max(1, size // POOL_DIVISOR))]
        self.entities = [entity(ctx, i).entity.as_model() for i in picks]
        self.entity_weights = None  # uniform over the batch's pool (the hot ones are already over-represented)

    def tracking_no(self, on):
        # the complaint's index, scrambled by an odd multiplier (a bijection mod 32^6): unique without a lookup
        scrambled = (self.index * 0x5DEECE66D + 0xB) % (len(TRACKING_ALPHABET) ** 6)
        return "T" + on.strftime("%Y%m%d") + encode(scrambled, TRACKING_ALPHABET, 6)


def date_months_back(today, years):
    first = today.replace(year=today.year - years, day=1)
    return (first + timedelta(days=32)).replace(day=1)


def plan_rows(gen: BatchGenerator, plan, index: int, out: dict) -> None:
    ctx, c = gen.ctx, plan.complaint
    c.__dict__.pop("_mediator", None)
    c.pk = ctx.ids.complaint + index
    c.created_at = c.updated_at = demo.aware(c.received_on, 0)
    c.dedupe_key = blind_index("\n".join([c.kind, c.complainant_phone, normalise(c.business_name),
                                          normalise(c.description)[:2000]]), "complaint_dedupe")  # as services do
    for field_ in COMPUTED:
        field_.pre_save(c, True)  # e.g. the phone's blind index, derived from the plain value on every save
    out["complaint"].append(tuple(getattr(c, name) for name in ATTNAMES))
    if len(plan.events) > EVENT_STRIDE or len(plan.documents) > DOCUMENT_STRIDE or len(plan.sessions) > SESSION_STRIDE:
        raise RuntimeError(f"complaint {index}: more timeline rows than its key range holds")
    base = ctx.ids.complaint_event + index * EVENT_STRIDE
    for slot, (on, action, label, frm, to, actor_name, note, public) in enumerate(plan.events):
        out["complaint_event"].append((base + slot, c.pk, demo.aware(on, slot), on, action, label, frm, to,
                                       actor_name, note, public))
    base = ctx.ids.complaint_document + index * DOCUMENT_STRIDE
    for slot, (kind, on, paragraphs, to, region) in enumerate(plan.documents):
        content = {"title": DocumentKind(kind).label, "to": to or c.complainant_name, "paragraphs": paragraphs,
                   "tracking_no": c.tracking_no}
        number = f"{region.name}市监{documents.ABBREVIATION[kind]}〔{on.year}〕G{index}-{slot + 1}号"
        out["complaint_document"].append((base + slot, c.pk, kind, number, on, documents.issuer_of(region), content))
    base = ctx.ids.mediation_session + index * SESSION_STRIDE
    for slot, values in enumerate(plan.sessions):
        out["mediation_session"].append((base + slot, c.pk, values["held_on"], values["place"], values["mediator"],
                                         values["attendees"], values["summary"], False, "", values["recorded_by"],
                                         demo.aware(values["held_on"], 17)))
    if c.entity_id is None or c.closed_on is None:
        return
    refused = (c.status == Status.MEDIATION_ENDED and c.reason is not None
               and ground_allows_business_refusal(c.reason.text) and gen.rng.random() < 0.5)
    base = ctx.ids.credit_complaint + index * CREDIT_STRIDE
    for slot, (kind, outcome, detail) in enumerate(outcome_events(c, business_refused=refused)):
        out["credit"].append((base + slot, c.entity_id, kind, c.closed_on, detail[:300], source_ref(c, outcome), "", "",
                              demo.aware(c.closed_on, 599), None))


def make_batch(gen: BatchGenerator, batch: int, start: int, stop: int, out: dict) -> None:
    gen.prepare(batch, stop - start)
    targets, weights = zip(*TARGETS, strict=True)
    for index in range(start, stop):
        gen.index = index
        plan = gen.make_in_story(gen.rng.choices(targets, weights=weights)[0])
        plan_rows(gen, plan, index, out)


MODELS = {"complaint": (Complaint, COMPLAINT_FIELDS), "complaint_event": (ComplaintEvent, EVENT_FIELDS),
          "complaint_document": (ComplaintDocument, DOCUMENT_FIELDS),
          "mediation_session": (MediationSession, SESSION_FIELDS)}
