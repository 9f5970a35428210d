"""Features of a complaint text: jieba words, single characters, character bigrams and trigrams, and the keyword
rules that match.

The same function serves training (scikit-learn) and classification (the exported weights), so the two never
drift apart. jieba loads its dictionary once, lazily, with its logging silenced (about 1 s, DESIGN 7).
"""

import logging
import re
import threading
import unicodedata

from .rules import lexicon_hits, matching_rules

MAX_CHARS = 2000  # a complaint's first 2,000 characters decide its triage; the rest only costs time
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_SKIP = re.compile(r"^[\W_]+$")
_jieba_lock = threading.Lock()
_jieba = None


def jieba_module():
    """jieba, initialised once per process."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), numbers to one placeholder, cut to MAX_CHARS."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_CHARS]
    return _DIGITS.sub("0", text)


def words(text: str) -> list[str]:
    """jieba tokens of the normalised text, without punctuation and spaces."""
    return [token for token in jieba_module().lcut(text) if token.strip() and not _SKIP.match(token)]


def features(text: str) -> list[str]:
    """Feature strings: `w:<word>`, `c:<1–3 characters>`, `R:<rule>`, `K:<sector>`."""
    text = normalise(text)
    result = [f"w:{token}" for token in words(text)]
    compact = "".join(char for char in text if not char.isspace())
    result.extend(f"c:{char}" for char in compact)
    result.extend(f"c:{compact[i:i + 2]}" for i in range(len(compact) - 1))
    result.extend(f"c:{compact[i:i + 3]}" for i in range(len(compact) - 2))
    result.extend(f"R:{name}" for name in matching_rules(text))
    result.extend(f"K:{sector}" for sector, _ in lexicon_hits(text))
    return result


def is_rule(feature: str) -> bool:
    """Rule and lexicon features are binary and kept out of the TF-IDF normalisation."""
    return feature[:2] in ("R:", "K:")
