"""The notices a council decision sends to the nominator and every supporter — one definition
used by the chat review (/duyetdecu) and the web console, so both say exactly the same."""

from __future__ import annotations

from bot.core.replies import Button, Notice, Reply, Text, text
from bot.messages import Catalog
from bot.nominations.review import DecisionResult
from bot.nominations.types import Decision


def decision_notices(
    t: Catalog, nomination_id: int, decision: Decision, reason: str, result: DecisionResult
) -> list[Notice]:
    """One notice per person to tell, each on their own channel."""
    notices = []
    for person in result.recipients:
        message = t(
            f"review.notice_{decision.value}",
            code=result.code,
            name=person.nominee_name,
            reason=reason,
        )
        reply: Reply
        if decision is Decision.MORE_INFO:
            reply = text(
                message,
                [
                    Button(
                        t("nominate.more_button", code=result.code), f"mynom:more:{nomination_id}"
                    )
                ],
            )
        else:
            reply = Text(message)
        notices.append(Notice(person.channel, person.user_id, (reply,)))
    return notices
