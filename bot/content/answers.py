"""From a message to what the bot should say: a topic, an honest "not sure", or small talk."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.content.analysis import load_lexicon
from bot.content.index import TopicIndex
from bot.content.model import Topic
from bot.content.smalltalk import read


class AnswerKind(StrEnum):
    """What kind of reply a message gets."""

    TOPIC = "topic"
    NOT_SURE = "not_sure"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True, slots=True)
class Answer:
    """The outcome of a question: the topic answered (if any), its score and the alternatives."""

    kind: AnswerKind
    question: str
    score: float = 0.0
    topic: Topic | None = None
    suggestions: tuple[Topic, ...] = ()
    smalltalk: str | None = None


def respond(question: str, index: TopicIndex, *, suggestions: int = 3) -> Answer:
    """Decide how to answer one message with one knowledge base."""
    lexicon = load_lexicon()
    reading = read(question, lexicon)
    if reading.kind is not None:
        return Answer(AnswerKind.SMALLTALK, question, smalltalk=reading.kind)
    if lexicon.declined(reading.question):
        return Answer(AnswerKind.NOT_SURE, question)
    ranking = index.rank(reading.question, limit=suggestions)
    topics = index.kb.topics
    best = ranking.best
    if best is not None and ranking.confident:
        return Answer(AnswerKind.TOPIC, question, best.score, topics[best.slug])
    closest = tuple(topics[hit.slug] for hit in ranking.hits)
    return Answer(AnswerKind.NOT_SURE, question, best.score if best else 0.0, suggestions=closest)
