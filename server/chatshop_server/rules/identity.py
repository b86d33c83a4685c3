"""Names that look alike: the skeleton two handles or display names share when they could be
mistaken for each other.

The skeleton follows Unicode's UTS #39 idea. Every character that looks like an ASCII letter
or digit becomes that letter or digit (the Cyrillic o, U+043E, becomes ``o``; the fullwidth
A, U+FF21, becomes ``A``), then the ASCII look-alikes of UTS #39 are merged (``0`` and ``o``;
``1``, ``I`` and ``l``; ``rn`` and ``m``; ``vv`` and ``w``), case is folded and only letters
and digits are kept. ``northwind``, ``n0rthwind``, ``North.Wind`` and ``northwind`` spelt with
a Cyrillic o share one skeleton; ``bar`` and ``bat`` do not.

Which characters look like which ASCII ones comes from Unicode's confusables data as packaged
by ``confusable-homoglyphs``; it is loaded the first time a skeleton is needed (registration,
brand verification), not at start-up.
"""

from __future__ import annotations

import functools
import unicodedata

# UTS #39 prototypes among ASCII itself (confusables.txt), applied after the Unicode map.
_ASCII_LOOKALIKES = str.maketrans({"0": "o", "1": "l", "I": "l", "|": "l"})
_ASCII_SEQUENCES = (("rn", "m"), ("vv", "w"))


def _preferred(candidates: set[str]) -> str:
    """One ASCII stand-in among several: a lower-case letter first, then a letter, a digit."""
    return min(candidates, key=lambda c: (not c.islower(), not c.isalpha(), c))


@functools.cache
def _to_ascii() -> dict[str, str]:
    """Every non-ASCII character that looks like one ASCII letter or digit, mapped to it."""
    from confusable_homoglyphs.confusables import confusables_data

    found: dict[str, set[str]] = {}
    for char, glyphs in confusables_data.items():
        for glyph in glyphs:
            other = glyph["c"].strip("\u200e\u200f")
            if len(char) != 1 or len(other) != 1:
                continue
            for source, target in ((char, other), (other, char)):
                if not source.isascii() and target.isascii() and target.isalnum():
                    found.setdefault(source, set()).add(target)
    return {source: _preferred(targets) for source, targets in found.items()}


def skeleton(name: str) -> str:
    """What ``name`` looks like, for comparing names (never shown, never stored as a name)."""
    to_ascii = _to_ascii()
    text = "".join(to_ascii.get(c, c) for c in unicodedata.normalize("NFKC", name))
    text = text.translate(_ASCII_LOOKALIKES).casefold()
    for sequence, single in _ASCII_SEQUENCES:
        text = text.replace(sequence, single)
    return "".join(c for c in text if c.isalnum())
