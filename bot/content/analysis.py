"""Turn what people type into the terms the ranking compares.

Steps, for questions and for the knowledge base alike: Unicode and tone normalisation, lower
case, Telex leftovers repaired ("chuyeenr" → "chuyển"), teencode expanded ("dc" → "được";
short ambiguous ones such as "k", "v", "mk" only where their neighbours say what they mean),
then three views of the text: accented words segmented by underthesea ("công_dân_số"),
accent-stripped syllables and syllable pairs ("cong", "cong_dan"), and character n-grams of the
accent-stripped words (which survive typos).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from bot.content.telex import repair, repair_accented
from bot.content.wordcache import word_cache
from bot.core.text import fold, normalize, strip_accents

LEXICON_FILE = Path(__file__).parent / "lexicon.yaml"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Where a clause ends: "v" at the end of "sao v?" means "vậy", in "nói v nhau" it does not.
_CLAUSE = re.compile(r"[.,;:!?…\n()\[\]\"“”]+")
NUMBER = "<số>"  # context marker: the neighbouring word is a number ("50 k" is fifty thousand)
EDGE = "<biên>"  # context marker: no neighbouring word (start or end of a clause)
_SENTENCE_END = re.compile(r"(?<=[.?!…])\s+")


@dataclass(frozen=True, slots=True)
class Reading:
    """One meaning of an ambiguous abbreviation and the neighbours that select it.

    `after` / `before`: the previous / next word (accent-stripped) must be one of these, or
    a marker (NUMBER, EDGE); `not_after` / `not_before`: the previous / next word must not be one
    of these (the Central "chi" is "gì" in "làm chi" but not in "chi trả"). An empty condition
    always holds. The first reading whose conditions hold is used.
    """

    meaning: tuple[str, ...]
    after: frozenset[str] = frozenset()
    before: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()
    not_before: frozenset[str] = frozenset()

    def fits(self, previous: str, following: str) -> bool:
        """Whether the neighbours allow this reading."""
        return (
            (not self.after or previous in self.after)
            and (not self.before or following in self.before)
            and previous not in self.not_after
            and following not in self.not_before
        )


def _words_of(value: object) -> frozenset[str]:
    words = value if isinstance(value, list) else []
    return frozenset(str(w) if str(w).startswith("<") else fold(str(w)) for w in words)


def _readings(items: list[dict[str, object]]) -> tuple[Reading, ...]:
    return tuple(
        Reading(
            tuple(normalize(str(item["meaning"])).lower().split()),
            _words_of(item.get("after")),
            _words_of(item.get("before")),
            _words_of(item.get("not_after")),
            _words_of(item.get("not_before")),
        )
        for item in items
    )


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Teencode, stopwords and small-talk phrases (bot/content/lexicon.yaml)."""

    teencode: dict[str, tuple[str, ...]]
    contextual: dict[str, tuple[Reading, ...]]
    stopwords: frozenset[str]
    smalltalk: dict[str, frozenset[str]]
    fillers: frozenset[str]
    phrases: dict[tuple[str, ...], tuple[str, ...]]
    declines: tuple[re.Pattern[str], ...]
    intents: tuple[tuple[str, str], ...]  # (cue phrase, topic slug), see bot.content.cues
    # Bare word → the accented forms a decline rule means by it ("gia" → "giá", not "giả").
    decline_accents: dict[str, frozenset[str]]
    cue_fillers: frozenset[str]  # words skipped when matching cues ("hỏi cái mã" is "hỏi mã")

    def declined(self, text: str) -> bool:
        """Whether a question is of a kind the bot never answers from the knowledge base.

        Only a one-sentence question: a story of several sentences that mentions medicine or
        prices in passing ("bác sĩ hỏi tôi uống thuốc gì … sổ sức khỏe điện tử lấy dữ liệu từ
        đâu?") is left to the ranking, whose model has learned out-of-scope questions too."""
        if len([part for part in _SENTENCE_END.split(text) if part.strip()]) > 1:
            return False
        typed = normalize(text).lower().split()
        bare = " ".join(fold(word) for word in typed)
        return any(
            self._accents_fit(typed, bare, match)
            for pattern in self.declines
            for match in pattern.finditer(bare)
        )

    def _accents_fit(self, typed: list[str], bare: str, match: re.Match[str]) -> bool:
        """Whether the words a decline rule matched were typed as the rule means them: the rules
        read accent-stripped text, so "giả danh công an" would otherwise be a price question
        ("giá …"). A word typed without accents may mean either and fits."""
        start = 0
        for word in typed:
            end = start + len(fold(word))
            if end > match.start() and start < match.end():
                letters = "".join(_WORD.findall(word))
                forms = self.decline_accents.get(fold(letters))
                if forms and has_diacritics(letters) and letters not in forms:
                    return False
            start = end + 1
        return True


@cache
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    """The lexicon shipped with the code, read once."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    teencode = {
        normalize(str(key)).lower(): tuple(part.strip() for part in str(value).split("|"))
        for key, value in data["teencode"].items()
    }
    return Lexicon(
        teencode=teencode,
        contextual={
            normalize(str(key)).lower(): _readings(items)
            for key, items in data.get("contextual", {}).items()
        },
        stopwords=frozenset(normalize(str(word)).lower() for word in data["stopwords"]),
        smalltalk={
            kind: frozenset(map(str, phrases)) for kind, phrases in data["smalltalk"].items()
        },
        fillers=frozenset(fold(str(word)) for word in data["smalltalk_fillers"]),
        phrases={
            tuple(fold(str(key)).split()): tuple(normalize(str(value)).lower().split())
            for key, value in data.get("phrases", {}).items()
        },
        declines=tuple(re.compile(str(pattern)) for pattern in data.get("declines", [])),
        intents=_intents(data.get("intents", {})),
        decline_accents={
            fold(str(key)): frozenset(normalize(str(form)).lower() for form in forms)
            for key, forms in data.get("decline_accents", {}).items()
        },
        cue_fillers=frozenset(normalize(str(word)).lower() for word in data.get("cue_fillers", [])),
    )


def _intents(data: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    """(cue phrase as written, topic slug) pairs; matched by bot.content.cues."""
    return tuple((str(cue), str(slug)) for slug, cues in data.items() for cue in cues)


@word_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """`fold` of one word, cached: the same few thousand words come back all the time."""
    return fold(word)


@word_cache(maxsize=65536)
def has_diacritics(text: str) -> bool:
    """Whether the text carries any Vietnamese accent (then word segmentation is meaningful)."""
    return strip_accents(text) != text


def _plain(token: str) -> bool:
    """A token typed without accents (đ allowed): the only kind teencode applies to."""
    return not has_diacritics(token.replace("đ", "d"))


@dataclass(frozen=True, slots=True)
class Expanded:
    """Words after Telex repair and teencode, and whether the person typed accents."""

    words: list[str]
    accented: bool
    own: int  # how many of `words` the person typed (the rest are the lexicon's phrases)


def expand(text: str, lexicon: Lexicon) -> Expanded:
    """Normalised, lower-case words with Telex repaired and teencode written out."""
    words: list[str] = []
    accented = False
    for clause in _CLAUSE.split(normalize(text).lower()):
        tokens = [
            repair(raw) if raw.isascii() else repair_accented(raw) for raw in _WORD.findall(clause)
        ]
        for position, token in enumerate(tokens):
            plain = _plain(token)
            accented = accented or not plain
            meanings = _meanings(tokens, position, plain, lexicon)
            if meanings is None:
                words.append(token)
                continue
            for meaning in meanings:
                words.extend(meaning.split())
    return Expanded(words + _phrase_terms(words, lexicon), accented, len(words))


def _context(word: str) -> str:
    return NUMBER if word.isdigit() else fold_word(word)


def _meanings(
    tokens: list[str], position: int, plain: bool, lexicon: Lexicon
) -> tuple[str, ...] | None:
    """What an abbreviation stands for here, or None to keep the word as typed."""
    token = tokens[position]
    readings = lexicon.contextual.get(token) or (
        lexicon.contextual.get(fold_word(token)) if plain else None
    )
    if readings is not None:
        previous = _context(tokens[position - 1]) if position else EDGE
        following = _context(tokens[position + 1]) if position + 1 < len(tokens) else EDGE
        for reading in readings:
            if reading.fits(previous, following):
                return (" ".join(reading.meaning),)
        return None
    return lexicon.teencode.get(token) or (
        lexicon.teencode.get(fold_word(token)) if plain else None
    )


def _phrase_terms(words: list[str], lexicon: Lexicon) -> list[str]:
    """The knowledge base's wording for everyday phrases found in the words ("bằng lái")."""
    folded = [fold_word(word) for word in words]
    added: list[str] = []
    for size in (4, 3, 2, 1):
        for start in range(len(folded) - size + 1):
            meaning = lexicon.phrases.get(tuple(folded[start : start + size]))
            if meaning is not None:
                added.extend(meaning)
    return added


@lru_cache(maxsize=1)
def _tokenizer():  # type: ignore[no-untyped-def]
    from underthesea import word_tokenize  # imported lazily: loading it takes a moment

    return word_tokenize


def warm_up() -> None:
    """Load the word segmenter now rather than on the first question."""
    _tokenizer()("khởi động")


def segment(words: list[str]) -> list[str]:
    """Accented words grouped into Vietnamese compounds by underthesea: "công_dân_số"."""
    if not words:
        return []
    return ["_".join(part.lower().split()) for part in _tokenizer()(" ".join(words))]


def char_grams(words: list[str], size: int = 3) -> list[str]:
    """Character n-grams of each word padded with '#', for matching through typos."""
    grams: list[str] = []
    for word in words:
        padded = f"#{word}#"
        if len(padded) <= size:
            grams.append(padded)
        else:
            grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return grams


@dataclass(frozen=True, slots=True)
class Analysis:
    """The views of one text that the ranking compares, stopwords left out."""

    accented: bool  # typed with accents: the segmented view is meaningful
    words: list[str]  # segmented accented words and their syllables
    folded: list[str]  # accent-stripped syllables and adjacent pairs ("dang_ky")
    grams: list[str]  # character trigrams of the accent-stripped content syllables
    content: str  # accent-stripped content syllables, for fuzzy comparison
    typed: list[str]  # the expanded words in order, stopwords kept (for intent cues)


class Analyzer:
    """Analyses questions and knowledge-base text the same way."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._stop = lexicon.stopwords
        self._stop_folded = frozenset(fold(word) for word in lexicon.stopwords)

    def _is_stop(self, word: str) -> bool:
        # Unaccented words are judged by their bare form ("ma" may be "mà"); accented ones exactly
        # ("mã" is content, "mà" is not).
        return word in self._stop if has_diacritics(word) else fold_word(word) in self._stop_folded

    def analyze(self, text: str, *, segment_words: bool = True) -> Analysis:
        """All views of a text."""
        expanded = expand(text, self.lexicon)
        words = expanded.words
        content = [word for word in words if not self._is_stop(word)]
        folded = [fold_word(word) for word in content]
        bare = [fold_word(word) for word in words]
        stops = [self._is_stop(word) for word in words]
        folded_pairs = [
            f"{bare[i]}_{bare[i + 1]}"
            for i in range(len(words) - 1)
            if not (stops[i] and stops[i + 1])
        ]
        segmented: list[str] = []
        if expanded.accented and segment_words:
            for word in segment(words):
                parts = word.split("_")
                if all(self._is_stop(part) for part in parts):
                    continue
                segmented.append(word)
                if len(parts) > 1:
                    segmented.extend(part for part in parts if not self._is_stop(part))
        return Analysis(
            expanded.accented,
            segmented,
            folded + folded_pairs,
            char_grams(folded),
            " ".join(folded),
            words[: expanded.own],
        )
