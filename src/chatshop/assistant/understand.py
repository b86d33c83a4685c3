"""Reading one customer message: what they want (an intent), which product, which variant,
how many. A pure function of the text, the language and the catalogue.

Fuzzy parts use rapidfuzz: intent phrases and product names are matched with typo
tolerance ("availble", "harbour coat"); sizes and colours are matched exactly after
normalising ("42 L" is 42L, "bleu" is the navy variant), since a near-miss size is a
different size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from chatshop.assistant.language import INTENTS, Language, fold, languages
from chatshop.protocol.shop_models import Product, Variant

_WORD = re.compile(r"[\w'-]+", re.UNICODE)
PHRASE_SCORE = 88  # rapidfuzz score a phrase needs to count as said (typos allowed)
PRODUCT_SCORE = 82  # score a product title word needs to count as named
MAX_QUANTITY = 9  # "2 please" is a quantity; "42" is a size


@dataclass(frozen=True, slots=True)
class Reading:
    """What one message says. ``product`` is the product it names (None: none named);
    ``variants`` are the product's variants it asks about; ``unknown_size`` a size-like
    word the product does not come in."""

    intent: str | None
    product: Product | None = None
    variants: tuple[Variant, ...] = ()
    unknown_size: str | None = None
    quantity: int | None = None


def words(text: str) -> list[str]:
    """The words of ``text``, folded; an elided word also gives its parts ("l'écharpe":
    "l'écharpe", "l", "écharpe")."""
    found: list[str] = []
    for raw in _WORD.findall(fold(text)):
        word = raw.strip("'-")
        if not word:
            continue
        found.append(word)
        if "'" in word:
            found.extend(part for part in word.split("'") if part)
    return found


def squeeze(text: str) -> str:
    """A size or colour as compared: lower case, no spaces, dashes or slashes."""
    return re.sub(r"[\s/_-]+", "", fold(text))


def _said(phrase: str, folded: str, tokens: set[str]) -> bool:
    if " " not in phrase and "'" not in phrase:
        if phrase in tokens:
            return True
        # One word: a typo is allowed in longer words only ("availble"), never in "no".
        return len(phrase) >= 6 and any(
            len(t) >= 5 and fuzz.ratio(phrase, t) >= PHRASE_SCORE for t in tokens
        )
    if f" {phrase} " in f" {folded} ":
        return True
    # A phrase said with a typo: all of it, somewhere in a text at least as long.
    return len(folded) >= len(phrase) and fuzz.partial_ratio(phrase, folded) >= 95


def intent_of(text: str, language: Language) -> str | None:
    """The first intent (in ``INTENTS`` order) whose words the text holds."""
    folded = " ".join(words(text))
    tokens = set(folded.split())
    for intent in INTENTS:
        if any(_said(phrase, folded, tokens) for phrase in language.understand.get(intent, [])):
            return intent
    return None


def _colour_of(token: str) -> str | None:
    """The canonical colour a word names, in any language we have."""
    for language in languages().values():
        for colour, names in language.colours.items():
            if token in names:
                return colour
    return None


def asked_variants(text: str, product: Product) -> tuple[list[Variant], str | None]:
    """The variants of ``product`` the text names (by label, option value or colour), and a
    size-like word it names that the product does not have."""
    tokens = words(text)
    squeezed_tokens = {squeeze(t) for t in tokens}
    squeezed_text = squeeze(text)
    colours = {c for t in tokens if (c := _colour_of(t)) is not None}
    found: list[Variant] = []
    for variant in product.variants:
        values = [variant.label, *variant.options.values()]
        keys = {squeeze(v) for v in values if v}
        if keys & squeezed_tokens or any(len(k) >= 3 and k in squeezed_text for k in keys):
            found.append(variant)
            continue
        if colours and any(_colour_of(fold(v)) in colours for v in values if v):
            found.append(variant)
    unknown = None
    if not found:
        known = {
            squeeze(v)
            for variant in product.variants
            for v in (variant.label, *variant.options.values())
        }
        for token in tokens:
            key = squeeze(token)
            if any(c.isdigit() for c in key) and key not in known and len(key) >= 2:
                unknown = token.upper()
                break
    return found, unknown


def named_product(text: str, language: Language, products: list[Product]) -> Product | None:
    """The product the message names: by a tag (or a word for it in the customer's
    language) and by the words of its title, typos allowed; None when none stands out."""
    filler = language.filler
    tokens = [t for t in words(text) if t not in filler and not any(c.isdigit() for c in t)]
    if not tokens:
        return None
    wanted_tags = set(tokens)
    folded = " ".join(tokens)
    for tag, names in language.tags.items():
        if any(name in tokens or (" " in name and name in folded) for name in names):
            wanted_tags.add(tag)
    best: tuple[float, int, Product] | None = None
    for position, product in enumerate(products):
        title_words = [fold(w) for w in words(product.title)]
        tags = {fold(t) for t in product.tags}
        score = 2.0 * len(wanted_tags & tags)
        for token in tokens:
            if len(token) < 3:
                continue
            match = process.extractOne(token, title_words, scorer=fuzz.ratio)
            if match is not None and match[1] >= PRODUCT_SCORE:
                score += 1.5 if match[1] == 100 else 1.0
        if score and (best is None or score > best[0]):
            best = (score, -position, product)
    return None if best is None else best[2]


def quantity_of(text: str, language: Language, product: Product | None) -> int | None:
    """A small number the text asks for ("2 please", "deux"), not a size."""
    sizes = set()
    if product is not None:
        sizes = {squeeze(v.label) for v in product.variants}
    for token in words(text):
        if token in language.numbers:
            return language.numbers[token]
        if token.isdigit() and token not in sizes and 1 <= int(token) <= MAX_QUANTITY:
            return int(token)
    return None


def read(text: str, language: Language, products: list[Product], focus: Product | None) -> Reading:
    """What the message says, with ``focus`` (the product under discussion) standing in
    when it names none."""
    intent = intent_of(text, language)
    product = named_product(text, language, products)
    subject = product or focus
    if subject is None:
        return Reading(intent=intent, quantity=quantity_of(text, language, None))
    found, unknown = asked_variants(text, subject)
    return Reading(
        intent=intent,
        product=product,
        variants=tuple(found),
        unknown_size=unknown,
        quantity=quantity_of(text, language, subject),
    )
