"""Ranking knowledge-base topics for a question, and deciding whether the best one is good enough.

Topics that the example-trained model knows (bot.content.learned: every shipped topic when the
model is current) are ranked by its probability, with the intent cues added to their scores;
the bot answers when the best topic's probability reaches `Calibration.probability`, a threshold
chosen by cross-validation that holds out whole question sets (bench/bench_retrieval.py
--calibrate). The lexical ranking below stays for topics the model has never seen (an entry
added by an editor since the model was trained) and for a knowledge base without a model.

Lexical ranking: each topic is one document made of its title, example questions and keywords,
indexed three ways with BM25 (bm25s): segmented accented words, accent-stripped syllables and
syllable pairs, and character trigrams. A question's score in each view is divided by the most
its terms could earn (unknown terms count as rare ones), so it says what share of the question
the topic explains. The top candidates are re-ranked with fuzzy similarity (rapidfuzz) to the
topic's example questions. Intent cues (lexicon "intents": "bị lừa", "báo ở đâu" → the scam
topic) add to the share of their topic. It answers only when the share is high enough or the
absolute evidence is strong (long questions explain only part of their words).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz, process

from bot.content.analysis import Analysis, Analyzer, expand
from bot.content.cues import CueTable
from bot.content.learned import OUT_OF_SCOPE, Classifier, features_of, softmax
from bot.content.model import KnowledgeBase, Topic
from bot.core.text import fold

_K1 = 1.2


@dataclass(frozen=True, slots=True)
class Calibration:
    """Tuning of the ranking; the thresholds come from bench/bench_retrieval.py --calibrate."""

    share: float = 0.58  # answer when this share of the question is explained…
    evidence: float = 8.0  # …or when the absolute BM25 evidence reaches this…
    # …and the share is at least this: a long message of numbers and names (a phone number, a
    # date, an account) gathers evidence without being about any topic. No tuning question is
    # answered through evidence with a share under 0.35; 0.25 leaves a margin.
    evidence_share: float = 0.25
    fuzzy_weight: float = 0.3  # weight of the similarity to example questions when re-ranking
    rerank: int = 5  # how many top candidates are re-ranked
    unknown_percentile: float = 50.0  # an unknown term weighs like a term this rare
    cue_weight: float = 0.3  # share added to a topic per intent cue found (lexicon "intents")
    cue_limit: int = 2  # at most this many cues count for one topic
    # The example-trained model: answer when the best topic's p / (p + p_out_of_scope) reaches
    # this (bot.content.index._in_scope)…
    probability: float = 0.74
    cue_logit: float = 1.0  # …after adding this to a topic's logit per intent cue found


@dataclass(frozen=True, slots=True)
class Hit:
    """A candidate topic with its confidence (≥ 1 means good enough to answer)."""

    slug: str
    score: float
    share: float = 0.0  # share of the question this topic explains
    evidence: float = 0.0  # absolute BM25 evidence
    probability: float | None = None  # the example-trained model's, for topics it knows


@dataclass(frozen=True, slots=True)
class Ranking:
    """The closest topics, best first, and whether the best one is good enough to answer."""

    hits: tuple[Hit, ...]

    @property
    def best(self) -> Hit | None:
        """The closest topic, if any term matched at all."""
        return self.hits[0] if self.hits else None

    @property
    def confident(self) -> bool:
        """Whether the bot should answer with the best topic."""
        return bool(self.hits) and self.hits[0].score >= 1.0


class _View:
    """One BM25 index over one view of the topics, with per-term ceilings for normalising."""

    def __init__(self, documents: list[list[str]], unknown_percentile: float) -> None:
        # Imported here: only topics the learned model does not know are ranked by BM25, and a
        # server whose model knows them all never builds a view (nor pays bm25s's import).
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self._bm25 = bm25s.BM25(k1=_K1, b=0.75)
        self._bm25.index([doc or [""] for doc in documents], show_progress=False)
        self._vocab: dict[str, int] = self._bm25.vocab_dict
        scores = self._bm25.scores
        data, indptr = np.asarray(scores["data"]), np.asarray(scores["indptr"])
        ceiling = np.zeros(len(indptr) - 1, dtype=np.float64)
        filled = np.flatnonzero(np.diff(indptr) > 0)
        if len(filled):
            # The most a term can add to any topic's score: a question whose every term reaches
            # its ceiling in one topic is fully explained by it.
            ceiling[filled] = np.maximum.reduceat(data, indptr[filled])
        self._ceiling = ceiling
        positive = ceiling[ceiling > 0]
        self._unknown = float(np.percentile(positive, unknown_percentile)) if len(positive) else 1.0
        self._size = len(documents)

    def score(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(share of the question explained, raw BM25) for every topic."""
        terms = list(dict.fromkeys(terms))
        ids = [self._vocab[term] for term in terms if term in self._vocab]
        if not ids:
            zeros = np.zeros(self._size)
            return zeros, zeros
        raw = self._bm25.get_scores(ids).astype(np.float64)
        ceiling = float(self._ceiling[ids].sum()) + self._unknown * (len(terms) - len(ids))
        return raw / ceiling, raw


class TopicIndex:
    """The search structure for one knowledge base; immutable, so it can be swapped atomically."""

    def __init__(
        self,
        kb: KnowledgeBase,
        analyzer: Analyzer,
        calibration: Calibration | None = None,
        classifier: Classifier | None = None,
    ) -> None:
        self.kb = kb
        self.calibration = calibration or Calibration()
        self._analyzer = analyzer
        self._slugs = list(kb.topics)
        self._positions = {slug: i for i, slug in enumerate(self._slugs)}
        self._intents = CueTable(analyzer.lexicon.intents, analyzer.lexicon.cue_fillers)
        self._classifier = classifier
        # The model's labels that are still topics (or out of scope), and the topics it lacks.
        labels = classifier.labels if classifier else ()
        self._columns = np.array(
            [i for i, label in enumerate(labels) if label in kb.topics or label == OUT_OF_SCOPE],
            dtype=np.int64,
        )
        self._labels = [labels[i] for i in self._columns]
        self._learned = frozenset(label for label in self._labels if label != OUT_OF_SCOPE)
        self._topics = np.array(
            [i for i, label in enumerate(self._labels) if label != OUT_OF_SCOPE], dtype=np.int64
        )
        self._topic_labels = [self._labels[i] for i in self._topics]
        self._none = self._labels.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in self._labels else None
        self.unlearned = [slug for slug in self._slugs if slug not in self._learned]
        """Topics the model does not know: ranked lexically."""
        # A question that is literally one of a topic's example questions (up to case, accents
        # and punctuation) gets that topic: an editor who adds an unanswered question to a
        # topic on the knowledge desk sees it answered at once, before the model is retrained.
        self._literal = {
            _literal(question): slug
            for slug, topic in kb.topics.items()
            for question in topic.questions
        }
        if self.unlearned:  # the lexical views cost most of the build: only when needed
            self._build_lexical(kb, analyzer)

    def _build_lexical(self, kb: KnowledgeBase, analyzer: Analyzer) -> None:
        accented: list[list[str]] = []
        folded: list[list[str]] = []
        grams: list[list[str]] = []
        self._examples: list[list[str]] = []
        for slug in self._slugs:
            parts = [analyzer.analyze(text) for text in _texts(kb.topics[slug])]
            accented.append([term for part in parts for term in part.words])
            folded.append([term for part in parts for term in part.folded])
            grams.append([term for part in parts for term in part.grams])
            self._examples.append([part.content for part in parts if part.content])
        percentile = self.calibration.unknown_percentile
        self._accented = _View(accented, percentile)
        self._folded = _View(folded, percentile)
        self._grams = _View(grams, percentile)

    def rank(self, question: str, limit: int = 3) -> Ranking:
        """The closest topics to a question, best first, each with its confidence."""
        if not self._learned:
            return self._rank_lexically(question, limit)
        c = self.calibration
        # A long story whose whole is not clearly in scope is also read by its last sentence,
        # where people put the question after telling the story ("… Tôi nên báo ở đâu?").
        probabilities = self._probabilities(question)
        top = _in_scope(probabilities, self._none).max(initial=0.0)
        sentences = [part for part in _SENTENCE.split(question) if len(part.split()) >= 3]
        if top < c.probability and len(sentences) > 1:
            last = self._probabilities(sentences[-1])
            if _in_scope(last, self._none).max(initial=0.0) > top:
                probabilities = last
        confidence = _in_scope(probabilities, self._none)
        hits = [
            Hit(label, round(float(k) / c.probability, 4), probability=float(p))
            for label, p, k in zip(
                self._topic_labels, probabilities[self._topics], confidence, strict=True
            )
        ]
        hits.sort(key=lambda hit: -hit.score)
        literal = self._literal.get(_literal(question))
        if literal in self._learned:
            hit = next(hit for hit in hits if hit.slug == literal)
            hits = [replace(hit, score=max(hit.score, 1.0))] + [h for h in hits if h is not hit]
        if self.unlearned:
            # A topic added since the model was trained has only lexical evidence; when the
            # lexical ranking puts it first among all topics and is sure, it goes first (the
            # editor added it for such questions), otherwise after the model's topics.
            lexical = self._rank_lexically(question, limit)
            new = [hit for hit in lexical.hits if hit.slug not in self._learned]
            if lexical.confident and lexical.hits[0].slug not in self._learned:
                hits = [*new, *hits]
            else:
                hits.extend(replace(hit, score=min(hit.score, 0.99)) for hit in new)
                hits.sort(key=lambda hit: -hit.score)
        return Ranking(tuple(hits[:limit]))

    def _probabilities(self, text: str) -> np.ndarray:
        """The model's probability for every label still in the knowledge base, intent cues
        added to their topics' logits."""
        assert self._classifier is not None
        expanded = expand(text, self._analyzer.lexicon)
        logits = self._classifier.logits(features_of(expanded.words))[self._columns]
        c = self.calibration
        for slug, count in self._intents.find(expanded.words[: expanded.own]).items():
            if slug in self._learned:
                logits[self._labels.index(slug)] += c.cue_logit * min(count, c.cue_limit)
        return softmax(logits)

    def _rank_lexically(self, question: str, limit: int) -> Ranking:
        analysis = self._analyzer.analyze(question)
        share, evidence = self._scores(analysis)
        if not evidence.any():
            return Ranking(())
        c = self.calibration
        for slug, count in self._intents.find(analysis.typed).items():
            position = self._positions.get(slug)
            if position is not None:  # a cue is evidence of its own ("tin nhắn thoại")
                share[position] += c.cue_weight * min(count, c.cue_limit)
        order = np.argsort(-share, kind="stable")[: max(c.rerank, limit)]
        similarity = self._similarity(analysis.content, order)
        ranked = sorted(order, key=lambda i: -(share[i] + c.fuzzy_weight * similarity[i]))
        hits = tuple(
            Hit(
                self._slugs[i],
                round(
                    max(
                        share[i] / c.share,
                        evidence[i] / c.evidence if share[i] >= c.evidence_share else 0.0,
                    ),
                    4,
                ),
                float(share[i]),
                float(evidence[i]),
            )
            for i in ranked[:limit]
            if evidence[i] > 0 or share[i] > 0
        )
        return Ranking(hits)

    def _scores(self, analysis: Analysis) -> tuple[np.ndarray, np.ndarray]:
        views = [(self._folded, analysis.folded), (self._grams, analysis.grams)]
        if analysis.accented:
            views.append((self._accented, analysis.words))
        share = np.zeros(len(self._slugs))
        evidence = np.zeros(len(self._slugs))
        for view, terms in views:
            view_share, view_raw = view.score(terms)
            share += view_share
            evidence += view_raw
        return share / len(views), evidence / len(views)

    def _similarity(self, content: str, candidates: np.ndarray) -> dict[int, float]:
        """Best fuzzy ratio (0–1) between the question and each candidate's example questions."""
        found: dict[int, float] = {}
        for index in candidates:
            examples = self._examples[index]
            if not content or not examples:
                found[int(index)] = 0.0
                continue
            found[int(index)] = (
                float(process.cdist([content], examples, scorer=fuzz.ratio).max()) / 100
            )
        return found


_LETTERS = re.compile(r"[^\W_]+")


def _literal(text: str) -> str:
    """A question's words, lower case and without accents, for literal comparison."""
    return " ".join(_LETTERS.findall(fold(text)))


_SENTENCE = re.compile(r"(?<=[.?!…])\s+")


def _in_scope(probabilities: np.ndarray, none: int | None) -> np.ndarray:
    """Per topic: its probability against that of "out of scope" alone, p / (p + p_none).

    Whether to answer is a question of scope, not of how the rest is shared among topics: an
    everyday question that two topics could answer splits its probability between them, but
    still leaves little to "out of scope". Chosen over the top probability by the grouped
    cross-validation on eight sets (in-scope right / out-of-scope declined on the held-out
    sets: 96.8 % / 96.1 % against 95.1 % / 95.5 %).
    """
    if none is None:
        return np.delete(probabilities, [])
    topics = np.delete(probabilities, none)
    return topics / (topics + probabilities[none] + 1e-12)


def _texts(topic: Topic) -> list[str]:
    """What a topic is searched by: its title, example questions and keywords."""
    return [topic.title, *topic.questions, *topic.keywords]
