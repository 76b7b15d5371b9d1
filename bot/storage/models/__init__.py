"""All tables. Importing this package registers every model on `Base.metadata` (for Alembic)."""

from bot.storage.models.admin import (
    AdminAccount,
    AdminLoginLink,
    AdminSession,
    AdminThrottle,
    AppSecret,
    AuditEntry,
    KnowledgeTriage,
)
from bot.storage.models.base import Base
from bot.storage.models.channels import (
    ChannelInboxEvent,
    ChannelMessageRef,
    ZaloOaContact,
    ZaloOaToken,
)
from bot.storage.models.conversations import Conversation, ProcessedEvent
from bot.storage.models.knowledge import AnswerFeedback, ContentVersion, UnansweredQuestion
from bot.storage.models.nominations import (
    Nomination,
    NominationAttachment,
    NominationCounter,
    NominationDraft,
    NominationHistory,
    NominationRound,
    NominationSupport,
)
from bot.storage.models.quiz import (
    QuizAnswer,
    QuizAttempt,
    QuizQuestionTally,
    QuizTarget,
    QuizTargetMember,
    StaffRosterEntry,
)
from bot.storage.models.reminders import (
    Broadcast,
    Deadline,
    DeadlineAck,
    DeadlineReminder,
    JobRun,
    OutboxMessage,
    SendPace,
    SendToken,
    TipSubscription,
)
from bot.storage.models.units import Unit
from bot.storage.models.users import RoleGrant, User, WebSession, WebSessionQuota

__all__ = [
    "AdminAccount",
    "AdminLoginLink",
    "AdminSession",
    "AdminThrottle",
    "AppSecret",
    "AuditEntry",
    "KnowledgeTriage",
    "ChannelInboxEvent",
    "ChannelMessageRef",
    "ZaloOaContact",
    "ZaloOaToken",
    "Base",
    "Conversation",
    "ProcessedEvent",
    "QuizAnswer",
    "QuizAttempt",
    "QuizQuestionTally",
    "QuizTarget",
    "QuizTargetMember",
    "RoleGrant",
    "SendPace",
    "SendToken",
    "StaffRosterEntry",
    "Unit",
    "User",
    "WebSession",
    "WebSessionQuota",
    "Broadcast",
    "Deadline",
    "DeadlineAck",
    "DeadlineReminder",
    "JobRun",
    "OutboxMessage",
    "TipSubscription",
    "AnswerFeedback",
    "ContentVersion",
    "UnansweredQuestion",
    "Nomination",
    "NominationAttachment",
    "NominationCounter",
    "NominationDraft",
    "NominationHistory",
    "NominationRound",
    "NominationSupport",
]
