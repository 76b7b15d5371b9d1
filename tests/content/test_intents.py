"""Intent cues weigh more than shared vocabulary (issue 14, item 8): a scam victim asking where
to report a transfer gets the scam topic, questions about the bot itself get the bot's help."""

from __future__ import annotations

import pytest

from bot.content.analysis import Analyzer, load_lexicon
from bot.content.answers import AnswerKind, respond
from bot.content.cues import CueTable
from bot.content.index import TopicIndex
from bot.content.store import index_for, load_directory


@pytest.fixture(scope="module")
def index() -> TopicIndex:
    return index_for(load_directory()[1])


def _topic(question: str, index: TopicIndex) -> str | None:
    answer = respond(question, index)
    return answer.topic.slug if answer.kind is AnswerKind.TOPIC and answer.topic else None


@pytest.mark.parametrize(
    "question",
    [
        "bị lừa chuyển khoản thì báo ở đâu",
        "bi lua chuyen khoan thi bao o dau",
        "bị lừa ck r thì báo ở đâu v mn",
    ],
)
def test_scam_victims_get_the_scam_topic(question: str, index: TopicIndex) -> None:
    assert _topic(question, index) == "lua-dao-truc-tuyen"


@pytest.mark.parametrize(
    "question",
    [
        "muốn làm lại bài kiểm tra trên bot thì sao",
        "bot này có nhận tin nhắn thoại không",
        "cài nhắc hạn trên trợ lý này thế nào",
    ],
)
def test_questions_about_the_bot_get_its_help_topic(question: str, index: TopicIndex) -> None:
    assert _topic(question, index) == "bot-huong-dan"


def test_cues_match_accents_exactly_and_bare_words_by_their_form() -> None:
    table = CueTable([("số lạ", "lua-dao-truc-tuyen"), ("bị lừa", "lua-dao-truc-tuyen")])
    analyzer = Analyzer(load_lexicon())

    def found(text: str) -> dict[str, int]:
        return table.find(analyzer.analyze(text, segment_words=False).typed)

    assert found("công dân số là gì") == {}  # "số là" is not "số lạ"
    assert found("gặp số lạ gọi") == {"lua-dao-truc-tuyen": 1}
    assert found("bi lua roi, so la goi hoai") == {"lua-dao-truc-tuyen": 2}
    assert found("bị lửa cháy") == {}


def test_every_intent_names_a_shipped_topic() -> None:
    topics = set(load_directory()[1].topics)
    assert {slug for _, slug in load_lexicon().intents} <= topics


def _cues(text: str) -> dict[str, int]:
    lexicon = load_lexicon()
    table = CueTable(lexicon.intents, lexicon.cue_fillers)
    return table.find(Analyzer(lexicon).analyze(text, segment_words=False).typed)


@pytest.mark.parametrize(
    "question",
    [
        "Người lạ hỏi cái mã số gửi về điện thoại, tui đưa được hông?",
        "ng ta đòi mã otp gửi về đt e, có đưa ko",
        "có người xin mấy cái mã gửi về máy tôi",
    ],
)
def test_someone_asking_for_a_code_is_a_scam_cue(question: str) -> None:
    """Handing over a code is a scam whatever else the question shares with passwords or VNeID;
    filler words ("cái", "mấy") do not break the phrase."""
    assert _cues(question).get("lua-dao-truc-tuyen", 0) >= 1


def test_what_an_otp_is_for_is_not_a_scam_cue() -> None:
    """ "mã OTP" alone is shared vocabulary (the passwords topic explains it), not an intent."""
    assert "lua-dao-truc-tuyen" not in _cues("ma otp dung de lam gi")


def test_a_question_about_the_bot_weighs_for_both_of_its_topics() -> None:
    """ "trợ lý này" says the question is about the bot, not whether about use or privacy."""
    found = _cues("Cái trợ lý này có ghi lại chuyện tui hỏi hông dzậy?")
    assert found.get("bot-quyen-rieng-tu", 0) > found.get("bot-huong-dan", 0)
