"""The assistant's languages, as data: one TOML file per language in ``languages/``, with the
words it understands and the sentences it says; and which of them a customer writes in.

Adding a language is adding a file (see ``docs/bots.md``). Detection is lingua's (a
detector built for short text, restricted to the languages we have files for), helped by
the words of our own files, and sticky: a thread keeps its language until the customer
clearly writes in another.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from lingua import Language as LinguaLanguage
from lingua import LanguageDetector, LanguageDetectorBuilder

#: The intents a language file names words for, in the order they are tried.
INTENTS = (
    "person",
    "order_status",
    "returns",
    "shipping",
    "cart",
    "sizes",
    "price",
    "stock",
    "availability",
    "no",
    "thanks",
    "greeting",
    "yes",
)

SWITCH_CONFIDENCE = 0.75  # how sure the detector must be to leave a thread's language
SHORT_SWITCH_CONFIDENCE = 0.9  # ... on fewer than SHORT_WORDS words ("ok", "yes")
SHORT_WORDS = 3


@dataclass(frozen=True, slots=True)
class Language:
    """One language file: what the assistant understands and says in it."""

    code: str
    name: str
    lingua: str
    understand: dict[str, list[str]]
    numbers: dict[str, int]
    colours: dict[str, list[str]]
    tags: dict[str, list[str]]
    say: dict[str, str]
    status: dict[str, str]
    buttons: dict[str, str]

    def text(self, key: str, **values: object) -> str:
        """The sentence ``key``, with ``values`` filled in."""
        return self.say[key].format(**values)

    @property
    def filler(self) -> frozenset[str]:
        return frozenset(fold(word) for word in self.understand.get("filler", []))


def fold(text: str) -> str:
    """Lower case with typographic quotes made plain, for matching (accents kept)."""
    return unicodedata.normalize("NFC", text).casefold().replace("\u2019", "'")


@cache
def languages() -> dict[str, Language]:
    """Every language file shipped, by code (``en``, ``fr``)."""
    found: dict[str, Language] = {}
    folder = resources.files("chatshop.assistant").joinpath("languages")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        language = Language(
            code=data["code"],
            name=data["name"],
            lingua=data["lingua"],
            understand={k: [fold(w) for w in v] for k, v in data["understand"].items()},
            numbers={fold(k): int(v) for k, v in data.get("numbers", {}).items()},
            colours={k: [fold(w) for w in v] for k, v in data.get("colours", {}).items()},
            tags={fold(k): [fold(w) for w in v] for k, v in data.get("tags", {}).items()},
            say=dict(data["say"]),
            status=dict(data["status"]),
            buttons=dict(data["buttons"]),
        )
        found[language.code] = language
    return found


@cache
def _detector() -> LanguageDetector:
    wanted = [LinguaLanguage.from_str(lang.lingua) for lang in languages().values()]
    return LanguageDetectorBuilder.from_languages(*wanted).build()


def _own_words_score(text: str, language: Language) -> int:
    """How many of the language file's own words and phrases the text holds."""
    folded = f" {fold(text)} "
    score = 0
    for intent in INTENTS:
        for phrase in language.understand.get(intent, []):
            if f" {phrase} " in folded or (len(phrase) > 4 and phrase in folded):
                score += 1
    return score


def detect(text: str, current: str | None = None) -> str:
    """The code of the language ``text`` is written in; ``current`` (the thread's) unless
    the text says otherwise clearly enough."""
    known = languages()
    by_lingua = {lang.lingua: lang.code for lang in known.values()}
    confidences = {
        by_lingua[value.language.name]: value.value
        for value in _detector().compute_language_confidence_values(text)
        if value.language.name in by_lingua
    }
    for code, language in known.items():
        confidences[code] = confidences.get(code, 0.0) + 0.15 * _own_words_score(text, language)
    best = max(confidences, key=lambda code: confidences[code])
    if current is None or current not in known or best == current:
        return best
    total = sum(confidences.values()) or 1.0
    needed = SWITCH_CONFIDENCE if len(text.split()) >= SHORT_WORDS else SHORT_SWITCH_CONFIDENCE
    return best if confidences[best] / total >= needed else current
