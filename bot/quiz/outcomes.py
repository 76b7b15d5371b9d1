"""What the attempt service answers: the question to show, the verdict on an answer, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """How an action on an attempt went."""

    ACCEPTED = "accepted"  # answer recorded (or attempt started)
    TIMED_OUT = "timed_out"  # recorded as timed out: too late
    SHOWN = "shown"  # nothing recorded, the current question is shown again
    DUPLICATE = "duplicate"  # this question was answered already (double tap)
    EXPIRED = "expired"  # this question's time ran out before; the press came too late
    STALE = "stale"  # a button from another question
    FOREIGN = "foreign"  # someone else's attempt
    CLOSED = "closed"  # the attempt is finished or abandoned
    NOT_FOUND = "not_found"  # no such attempt or set
    BUSY = "busy"  # another attempt is still open
    WITHDRAWN = "withdrawn"  # the set or question was removed from the bank meanwhile


@dataclass(frozen=True, slots=True)
class QuestionView:
    """The current question of an attempt, options in this attempt's order."""

    attempt_id: int
    index: int
    total: int
    set_title: str
    text: str
    options: tuple[str, ...]
    seconds_left: int
    time_limit: int
    practice: bool


@dataclass(frozen=True, slots=True)
class WrongAnswer:
    """A question answered wrongly or too late, for the review at the end."""

    index: int
    text: str
    chosen: str | None
    correct: str
    timed_out: bool


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """A finished attempt."""

    attempt_id: int
    set_title: str
    correct: int
    total: int
    score: float
    passed: bool
    pass_ratio: float
    practice: bool
    wrong: list[WrongAnswer]


@dataclass(frozen=True, slots=True)
class StartOutcome:
    """Starting an attempt: the first question, or the attempt already open."""

    kind: Outcome
    question: QuestionView | None = None


@dataclass(slots=True)
class AnswerOutcome:
    """Answering (or resuming): the verdict, and the next question or the result."""

    kind: Outcome
    index: int
    correct: bool = False
    chosen_text: str | None = None
    correct_text: str = ""
    explanation: str = ""
    total: int = 0
    time_limit: int = 0
    question: QuestionView | None = None
    result: AttemptResult | None = field(default=None)
