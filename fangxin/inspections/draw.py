"""The verifiable random draw `fangxin-draw-v1` (DESIGN 5.5): pure functions, standard library only, no database.

Anyone holding a draw record (the JSON `build_record` returns) can re-derive every derived field from its inputs with
`verify` — or `fangxin draw verify RECORD.json` — and so check that the selection and the teams were not chosen by hand.

All hashes are SHA-256 over UTF-8 bytes, written as lowercase hex. Comparing raw digests orders them exactly as their
lowercase hex strings (fixed length, and "0"–"9" sort before "a"–"f"), so the hot loops compare digests and only the
selected tickets are turned into hex.
"""

import copy
import hashlib
import heapq
import json
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import repeat

ALGORITHM = "fangxin-draw-v1"
SECRET_PATTERN = re.compile(r"[0-9a-f]{64}")
RATIO_PATTERN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


# ---------------------------------------------------------------- the hashes


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def population_sha256(strata: dict[str, list[str]]) -> str:
    """SHA-256 of the lines `"<stratum>:" + ",".join(sorted(usccs))`, strata in name order, joined by "\\n"."""
    lines = [f"{name}:" + ",".join(sorted(strata[name])) for name in sorted(strata)]
    return sha256_hex("\n".join(lines))


def commitment_sha256(server_secret: str) -> str:
    """The commitment published before the draw: SHA-256 of the secret's hex string."""
    return sha256_hex(server_secret)


def new_server_secret() -> str:
    """32 random bytes as 64 lowercase hex characters."""
    return secrets.token_hex(32)


def seed_of(server_secret: str, public_entropy: str) -> str:
    return sha256_hex(f"{server_secret}|{public_entropy}")


def ticket(seed: str, uscc: str) -> str:
    return sha256_hex(f"{seed}|{uscc}")


def _ticket_digests(seed: str, usccs: list[str]) -> list[bytes]:
    """The raw digests of `ticket(seed, uscc)` for many USCCs (the common prefix is hashed once)."""
    prefix = hashlib.sha256(f"{seed}|".encode())
    digests = []
    for uscc in usccs:
        hasher = prefix.copy()
        hasher.update(uscc.encode("utf-8"))
        digests.append(hasher.digest())
    return digests


# ---------------------------------------------------------------- selection


def parse_ratio(ratio) -> Decimal:
    """A ratio is a decimal string between 0 and 1 inclusive ("0.03"); anything else is refused in Chinese."""
    if not isinstance(ratio, str) or not RATIO_PATTERN.fullmatch(ratio):
        raise ValueError(f"抽查比例 {json.dumps(ratio, ensure_ascii=False)} 无效：应为 0 到 1 之间的小数字符串，"
                         "如 \"0.03\"")
    value = Decimal(ratio)
    if not 0 <= value <= 1:
        raise ValueError(f"抽查比例 {ratio} 超出 0 到 1 的范围")
    return value


def quota(n: int, ratio: str) -> int:
    """k = ceil(n × ratio), exactly: 100 × "0.03" is 3, 101 × "0.03" is 4."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"总体数量 {n!r} 无效：应为非负整数")
    numerator, denominator = parse_ratio(ratio).as_integer_ratio()
    return -(-n * numerator // denominator)


def select(seed: str, strata: dict[str, list[str]], ratios: dict[str, str]) -> list[dict]:
    """Per stratum the k entities with the smallest tickets (ties by uscc), all strata merged in ticket order."""
    chosen: list[tuple[bytes, str, str]] = []
    for name in sorted(strata):
        usccs = strata[name]
        if name not in ratios:
            raise ValueError(f"层“{name}”没有抽查比例")
        k = quota(len(usccs), ratios[name])
        if k:
            keyed = zip(_ticket_digests(seed, usccs), usccs, [name] * len(usccs), strict=True)
            chosen.extend(heapq.nsmallest(k, keyed))
    chosen.sort()
    return [{"uscc": uscc, "stratum": name, "ticket": digest.hex()} for digest, uscc, name in chosen]


# ---------------------------------------------------------------- inspectors


def region_prefix(region: str) -> str:
    """The region code stripped of trailing "00" pairs: 150800 → 1508, 150000 → 15."""
    while region.endswith("00"):
        region = region[:-2]
    return region


def covers(inspector_region: str, county: str) -> bool:
    return county.startswith(region_prefix(inspector_region))


@dataclass(frozen=True)
class _Candidate:
    code: str
    encoded: bytes
    active: bool


class _Pool:
    """The active inspectors covering one county, bucketed by how many assignments each has so far in this draw."""

    def __init__(self, active: list[_Candidate], inactive: int, counts: dict[str, int]):
        self.codes = {candidate.code for candidate in active}
        self.size, self.inactive = len(active), inactive
        self.buckets: dict[int, dict[str, bytes]] = defaultdict(dict)  # count → {code: code as UTF-8}
        for candidate in active:
            self.buckets[counts[candidate.code]][candidate.code] = candidate.encoded

    def move(self, code: str, count: int) -> None:
        """The inspector's count went from count to count + 1."""
        bucket = self.buckets[count]
        encoded = bucket.pop(code)
        if not bucket:
            del self.buckets[count]
        self.buckets[count + 1][code] = encoded


class _Pools:
    """Inspectors indexed by region prefix, so finding those covering a county costs len(county) + 1 look-ups; one
    `_Pool` per county met, kept up to date as assignments are made."""

    def __init__(self, inspectors: list[dict]):
        self.by_prefix: dict[str, list[_Candidate]] = defaultdict(list)
        for inspector in inspectors:
            candidate = _Candidate(inspector["code"], inspector["code"].encode("utf-8"), inspector["active"] is True)
            for prefix in sorted({region_prefix(region) for region in inspector["regions"]}):
                self.by_prefix[prefix].append(candidate)
        self.counts = {inspector["code"]: 0 for inspector in inspectors}
        self.pools: dict[str, _Pool] = {}
        self.member_of: dict[str, list[_Pool]] = defaultdict(list)

    def covering(self, county: str) -> _Pool:
        if county not in self.pools:
            seen: dict[str, _Candidate] = {}
            for end in range(len(county) + 1):
                for candidate in self.by_prefix.get(county[:end], ()):
                    seen.setdefault(candidate.code, candidate)
            active = [candidate for candidate in seen.values() if candidate.active]
            pool = self.pools[county] = _Pool(active, len(seen) - len(active), self.counts)
            for candidate in active:
                self.member_of[candidate.code].append(pool)
        return self.pools[county]

    def count_one(self, code: str) -> None:
        count = self.counts[code]
        for pool in self.member_of[code]:
            pool.move(code, count)
        self.counts[code] = count + 1


def assign(seed: str, selected: list[dict], entities: dict[str, dict], inspectors: list[dict],
           exclusions: list[dict], team_size: int) -> list[dict]:
    """Teams for the selected entities, in the order given (ascending ticket order).

    Eligible: active, covering the entity's county, not in conflict with it, not excluded for it; sorted by
    (assignments so far in this draw, SHA-256(seed|uscc|code)), the first `team_size` form the team. Fewer eligible
    than `team_size`: no team, and `unassigned_reason` says why.

    Only the lowest count buckets that hold team_size eligible inspectors can supply the team, so only their members
    are hashed: the result is the full sort's, without hashing inspectors who could not be chosen.
    """
    pools = _Pools(inspectors)
    conflicts: dict[str, set[str]] = defaultdict(set)
    for inspector in inspectors:
        for uscc in inspector["conflicts"]:
            conflicts[uscc].add(inspector["code"])
    excluded: dict[str, set[str]] = defaultdict(set)
    for exclusion in exclusions:
        excluded[exclusion["uscc"]].add(exclusion["inspector"])
    assignments = []
    for entry in selected:
        uscc = entry["uscc"]
        entity = entities.get(uscc)
        county = entity.get("county") if isinstance(entity, dict) else None
        if not isinstance(county, str) or not county:
            assignments.append(_unassigned(uscc, "记录中没有该企业的县区代码（entities 缺少它的 county），无法确定覆盖它的检查人员"))
            continue
        pool = pools.covering(county)
        barred_conflict = pool.codes.intersection(conflicts.get(uscc, ()))
        barred_excluded = pool.codes.intersection(excluded.get(uscc, ())) - barred_conflict
        eligible = pool.size - len(barred_conflict) - len(barred_excluded)
        if eligible < team_size:
            reason = _reason(county, team_size, eligible, pool.inactive, len(barred_conflict), len(barred_excluded),
                             pool.size + pool.inactive)
            assignments.append(_unassigned(uscc, reason))
            continue
        base = hashlib.sha256(f"{seed}|{uscc}|".encode())
        barred = barred_conflict | barred_excluded
        team: list[str] = []
        for count in sorted(pool.buckets):  # lowest count first; within a count, by hash
            hashed = []
            for code, encoded in pool.buckets[count].items():
                if barred and code in barred:
                    continue
                hasher = base.copy()
                hasher.update(encoded)
                hashed.append((hasher.digest(), code))
            hashed.sort()
            team += [code for _, code in hashed[:team_size - len(team)]]
            if len(team) == team_size:
                break
        for code in team:
            pools.count_one(code)
        assignments.append({"uscc": uscc, "inspectors": team, "unassigned_reason": None})
    return assignments


def _unassigned(uscc: str, reason: str) -> dict:
    return {"uscc": uscc, "inspectors": [], "unassigned_reason": reason}


def _reason(county, team_size, eligible, inactive, in_conflict, excluded, covering) -> str:
    if not covering:
        return f"没有覆盖县区 {county} 的检查人员，无法组成 {team_size} 人检查组"
    parts = [f"{label} {number} 名" for label, number in
             (("已停用", inactive), ("与该企业有利益冲突", in_conflict), ("按回避规则排除", excluded)) if number]
    detail = f"，其中{'、'.join(parts)}" if parts else ""
    return (f"符合条件的检查人员只有 {eligible} 名，少于每组 {team_size} 名"
            f"（覆盖县区 {county} 的检查人员共 {covering} 名{detail}）")


# ---------------------------------------------------------------- the record


INPUT_KEYS = ("plan", "population", "entities", "commitment", "public_entropy", "server_secret", "inspectors",
              "exclusions")


def build_record(*, plan: dict, strata: dict[str, list[str]], entities: dict[str, dict], inspectors: list[dict],
                 exclusions: list[dict], public_entropy: str, server_secret: str, frozen_at: str,
                 published_at: str) -> dict:
    """The draw record of DESIGN 5.5; raises ValueError (Chinese, naming every problem) on bad input.

    The record holds copies of the inputs (the per-entity dicts of `entities` excepted, which are shared: copying a
    million of them would cost more than the draw's hashing).
    """
    if isinstance(entities, dict):
        entities = dict(entities)
    record = {
        "algorithm": ALGORITHM,
        "plan": copy.deepcopy(plan),
        "population": {"strata": {name: sorted(usccs) for name, usccs in sorted(strata.items())}
                       if isinstance(strata, dict) and all(isinstance(v, list) for v in strata.values()) else strata,
                       "sha256": None, "frozen_at": frozen_at},
        "entities": entities,
        "commitment": {"sha256": None, "published_at": published_at},
        "public_entropy": public_entropy,
        "server_secret": server_secret,
        "seed": None,
        "inspectors": [_inspector_defaults(inspector) for inspector in copy.deepcopy(inspectors)]
        if isinstance(inspectors, list) else inspectors,
        "exclusions": copy.deepcopy(exclusions),
        "selected": [],
        "assignments": [],
    }
    problems = _input_problems(record)
    if problems:
        more = f"（另有 {len(problems) - 5} 个问题）" if len(problems) > 5 else ""
        raise ValueError("；".join(problems[:5]) + more)
    derived = _derive(record)
    record["population"]["sha256"] = derived["population.sha256"]
    record["commitment"]["sha256"] = derived["commitment.sha256"]
    record["seed"] = derived["seed"]
    record["selected"] = derived["selected"]
    record["assignments"] = derived["assignments"]
    return record


def _inspector_defaults(inspector):
    if not isinstance(inspector, dict):
        return inspector
    ordered = {"code": None, "department": "", "regions": None, "active": None, "conflicts": []}
    ordered.update(inspector)
    return ordered


def _derive(record: dict) -> dict:
    plan, strata = record["plan"], record["population"]["strata"]
    seed = seed_of(record["server_secret"], record["public_entropy"])
    selected = select(seed, strata, plan["ratios"])
    return {
        "population.sha256": population_sha256(strata),
        "commitment.sha256": commitment_sha256(record["server_secret"]),
        "seed": seed,
        "selected": selected,
        "assignments": assign(seed, selected, record["entities"], record["inspectors"], record["exclusions"],
                              plan["team_size"]),
    }


def _input_problems(record) -> list[str]:
    """Every reason the record's inputs cannot be drawn from, in Chinese; empty when they are well formed."""
    if not isinstance(record, dict):
        return ["抽签记录应为 JSON 对象"]
    if record.get("algorithm") != ALGORITHM:
        return [f"不支持的抽签算法 {json.dumps(record.get('algorithm'), ensure_ascii=False)}：本程序只验证 {ALGORITHM}"]
    missing = [key for key in INPUT_KEYS if key not in record]
    if missing:
        return [f"抽签记录缺少 {'、'.join(missing)}"]
    problems: list[str] = []
    plan, population, commitment = record["plan"], record["population"], record["commitment"]
    if not isinstance(plan, dict):
        problems.append("plan 应为对象")
    else:
        team_size = plan.get("team_size")
        if isinstance(team_size, bool) or not isinstance(team_size, int) or team_size < 1:
            problems.append(f"plan.team_size 应为正整数，实际为 {json.dumps(team_size, ensure_ascii=False)}")
        if not isinstance(plan.get("ratios"), dict):
            problems.append("plan.ratios 应为对象（层名 → 比例字符串）")
    strata = population.get("strata") if isinstance(population, dict) else None
    if not isinstance(population, dict):
        problems.append("population 应为对象")
    elif not isinstance(strata, dict) or not all(isinstance(name, str) and isinstance(usccs, list)
                                                  and set(map(type, usccs)) <= {str}
                                                  for name, usccs in strata.items()):
        problems.append("population.strata 应为对象（层名 → 统一社会信用代码字符串列表）")
    else:
        total = sum(len(usccs) for usccs in strata.values())
        distinct = set().union(*strata.values()) if strata else set()
        if len(distinct) != total:
            problems.append(f"population.strata 中有 {total - len(distinct)} 个重复的统一社会信用代码（每家企业只能在总体中出现一次）")
        if isinstance(plan, dict) and isinstance(plan.get("ratios"), dict):
            for name in sorted(strata):
                if name not in plan["ratios"]:
                    problems.append(f"层“{name}”在 plan.ratios 中没有抽查比例")
                    continue
                try:
                    parse_ratio(plan["ratios"][name])
                except ValueError as error:
                    problems.append(f"层“{name}”的{error}")
    problems += _timestamp_problem(population.get("frozen_at") if isinstance(population, dict) else None,
                                   "population.frozen_at")
    if not isinstance(commitment, dict):
        problems.append("commitment 应为对象")
    else:
        problems += _timestamp_problem(commitment.get("published_at"), "commitment.published_at")
    entities = record["entities"]
    if not isinstance(entities, dict) or not set(map(type, entities.values())) <= {dict} or not set(
            map(type, map(dict.get, entities.values(), repeat("county")))) <= {str}:
        problems.append("entities 应为对象（统一社会信用代码 → {\"county\": 县区代码字符串}）")
    entropy = record["public_entropy"]
    if not isinstance(entropy, str) or not entropy.strip():
        problems.append("public_entropy 应为非空字符串（见证人录入的公开随机数）")
    secret = record["server_secret"]
    if not isinstance(secret, str) or not SECRET_PATTERN.fullmatch(secret):
        problems.append("server_secret 应为 64 位小写十六进制字符串（32 个随机字节）")
    problems += _inspector_problems(record["inspectors"])
    exclusions = record["exclusions"]
    if not isinstance(exclusions, list) or not all(
            isinstance(item, dict) and isinstance(item.get("inspector"), str) and isinstance(item.get("uscc"), str)
            for item in exclusions):
        problems.append("exclusions 应为列表，每项为 {\"inspector\": 检查人员编号, \"uscc\": 统一社会信用代码}")
    return problems


def _timestamp_problem(value, where: str) -> list[str]:
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
            return []
        except ValueError:
            pass
    return [f"{where} 应为 ISO 8601 时间字符串，实际为 {json.dumps(value, ensure_ascii=False)}"]


def _inspector_problems(inspectors) -> list[str]:
    if not isinstance(inspectors, list):
        return ["inspectors 应为列表"]
    problems = []
    seen: set[str] = set()
    for index, inspector in enumerate(inspectors):
        where = f"inspectors[{index}]"
        if not isinstance(inspector, dict):
            problems.append(f"{where} 应为对象")
            continue
        code = inspector.get("code")
        if not isinstance(code, str) or not code:
            problems.append(f"{where}.code 应为非空字符串")
        elif code in seen:
            problems.append(f"检查人员编号 {code} 重复")
        else:
            seen.add(code)
        for key in ("regions", "conflicts"):
            value = inspector.get(key)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                problems.append(f"{where}.{key} 应为字符串列表")
        if not isinstance(inspector.get("active"), bool):
            problems.append(f"{where}.active 应为 true 或 false")
    return problems


# ---------------------------------------------------------------- verification


def verify(record) -> list[str]:
    """Re-derive every derived field from the record's inputs alone; the differences in Chinese ([] = verified)."""
    try:
        return _verify(record)
    except Exception as error:  # a malformed record must give a message, never a traceback
        return [f"抽签记录无法验证：{type(error).__name__}: {error}"]


def _verify(record) -> list[str]:
    problems = _input_problems(record)
    if problems:
        return problems
    derived = _derive(record)
    differences = []
    population, commitment = record["population"], record["commitment"]
    for where, recorded in (("population.sha256", population.get("sha256")),
                            ("commitment.sha256", commitment.get("sha256")), ("seed", record.get("seed"))):
        if recorded != derived[where]:
            differences.append(f"{where} 不符：记录为 {_show(recorded)}，按输入重新计算应为 {derived[where]}")
    differences += _compare_list(record, "selected", derived["selected"], ("uscc", "stratum", "ticket"))
    differences += _compare_list(record, "assignments", derived["assignments"],
                                 ("uscc", "inspectors", "unassigned_reason"))
    return differences


def _compare_list(record: dict, key: str, expected: list[dict], fields: tuple[str, ...]) -> list[str]:
    if key not in record:
        return [f"抽签记录缺少 {key}"]
    recorded = record[key]
    if not isinstance(recorded, list):
        return [f"{key} 应为列表，实际为 {_show(recorded)}"]
    differences = []
    if len(recorded) != len(expected):
        differences.append(f"{key} 共 {len(recorded)} 项，按输入重新计算应为 {len(expected)} 项")
    for index in range(max(len(recorded), len(expected))):
        want = expected[index] if index < len(expected) else None
        got = recorded[index] if index < len(recorded) else None
        if isinstance(got, dict):
            got = {field: got.get(field) for field in fields}
        if got != want:
            if want is None:
                differences.append(f"{key}[{index}] 多余：{_show(got)}")
            elif index >= len(recorded):
                differences.append(f"{key}[{index}] 缺失，按输入重新计算应为 {_show(want)}")
            else:
                differences.append(f"{key}[{index}] 不符：记录为 {_show(got)}，按输入重新计算应为 {_show(want)}")
    return differences


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
