"""Demo complaints (filled in by the demo step of the complaints capability)."""


def load(*, rng, actor, stdout):
    return None
