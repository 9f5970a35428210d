"""How much each scale makes. `tiny` is for tests (hidden from --help)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    entities: int
    complaints: int          # over the whole span (YEARS of the complaint demo)
    regions: str             # "city" (the reference city), "region" (Inner Mongolia), "nation" (+ other provinces)
    enrollment_share: float = 0.2   # 放心消费创建单位 among all businesses


SCALES = {
    "tiny": Scale("tiny", entities=600, complaints=400, regions="city"),
    "city": Scale("city", entities=150_000, complaints=180_000, regions="city"),
    "region": Scale("region", entities=2_500_000, complaints=1_000_000, regions="region"),
    "nation": Scale("nation", entities=2_000_000, complaints=10_000_000, regions="nation"),
}
