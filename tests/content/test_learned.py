"""The example-trained ranking (bot/content/learned.py): features, the shipped model, and how it
does on wording it has not seen."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.content.analysis import Analyzer, load_lexicon
from bot.content.evaluation import Thresholds, evaluate_scored, held_out_scores, load_cases
from bot.content.index import Calibration, TopicIndex
from bot.content.learned import (
    EXAMPLES_DIR,
    MODEL_FILE,
    Classifier,
    Example,
    Settings,
    features,
    is_current,
    shipped,
    train,
)
from bot.content.store import load_directory

STYLES = ["accented", "unaccented", "teencode", "typo", "long", "short", "colloquial"]


def test_the_shipped_model_is_trained_on_the_shipped_examples() -> None:
    """Fails when a topic's questions, an example file, the lexicon or the features changed
    after the model was generated: run `cdsbot content train`."""
    kb = load_directory()[1]
    model = shipped()
    assert model is not None, f"{MODEL_FILE} is missing: run `cdsbot content train`"
    assert is_current(kb.topics.values(), model), "stale model: run `cdsbot content train`"
    assert set(model.labels) == {*kb.topics, ""}


def test_typos_teencode_and_missing_accents_keep_most_features() -> None:
    lexicon = load_lexicon()
    plain = set(features("đăng ký tài khoản định danh điện tử", lexicon))
    for variant in (
        "dang ky tai khoan dinh danh dien tu",  # no accents
        "đăg ký tk định danh đtử",  # typo and teencode
        "dangw kys taif khoanr ddinhj danh",  # Telex left over
    ):
        shared = plain & set(features(variant, lexicon))
        assert len(shared) >= len(plain) / 3, variant


def test_saving_and_loading_keeps_the_answers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lexicon = load_lexicon()
    examples = [
        Example("mật khẩu mạnh đặt thế nào", "a"),
        Example("mat khau bao nhieu ky tu", "a"),
        Example("bị lừa chuyển khoản báo ở đâu", "b"),
        Example("bi lua mat tien", "b"),
        Example("thời tiết hôm nay", ""),
    ]
    model = train(examples, lexicon, Settings(epochs=30))
    model.save(tmp_path / "m.npz")
    again = Classifier.load(tmp_path / "m.npz")
    found = features("mat khau the nao la manh", lexicon)
    assert again.labels == model.labels and again.version == model.version
    assert np.allclose(again.probabilities(found), model.probabilities(found), atol=0.01)
    assert model.labels[int(np.argmax(model.probabilities(found)))] == "a"


def test_a_topic_the_model_has_not_seen_is_ranked_lexically() -> None:
    """An editor's new entry works before the model is retrained."""
    kb = load_directory()[1]
    source = kb.topics["nong-nghiep-so"]
    new = replace(
        source,
        slug="ca-phe-truy-xuat",
        title="Truy xuất nguồn gốc cà phê Buôn Ma Thuột",
        questions=("mã vùng trồng cà phê đăng ký ở đâu", "truy xuất nguồn gốc cà phê"),
        keywords=("vùng trồng", "cà phê"),
        related=(),
    )
    grown = replace(kb, topics={**kb.topics, new.slug: new}, version="grown")
    index = TopicIndex(grown, Analyzer(load_lexicon()), classifier=shipped())
    assert index.unlearned == ["ca-phe-truy-xuat"]
    best = index.rank("đăng ký mã vùng trồng cà phê ở đâu").best
    assert best is not None and best.slug == "ca-phe-truy-xuat"
    again = index.rank("bị lừa chuyển khoản thì báo ở đâu").best
    assert again is not None and again.slug == "lua-dao-truc-tuyen"


HELD_OUT = {  # set: (in-scope right, out-of-scope declined, every style), lexical ranking before
    # (79.5 % / 96.8 %, colloquial 56.7 %) and (87.4 % / 93.3 %, typo 75 %, long 78.3 %)
    "blind_outside": (0.89, 0.95, 0.73),
    "dev2": (0.92, 0.95, 0.80),
    # a third writer, first read on arrival 90.5 % / 100 %, colloquial 78.3 %; held out after
    # its misses were studied (regional words, cues): 91.7 % / 100 %, colloquial 80.0 %
    "dev3": (0.90, 0.95, 0.75),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HELD_OUT))
def test_wording_from_a_writer_it_was_not_trained_on(name: str) -> None:
    """Grouped cross-validation on the two outside writers' sets: a model trained on the topics
    and every other set, measured on this one with the shipped threshold."""
    kb = load_directory()[1]
    groups = {path.stem: load_cases(path) for path in sorted(EXAMPLES_DIR.glob("*.jsonl"))}
    held = held_out_scores(groups, kb, only=[name])[name]
    report = evaluate_scored(held, Thresholds(Calibration().probability))
    in_scope, out_of_scope, style_floor = HELD_OUT[name]
    assert report.in_scope >= in_scope, report.misses
    assert report.out_of_scope >= out_of_scope, report.misses
    for style in STYLES:
        assert report.style(style) >= style_floor, (style, report.misses)
    assert unrelated_safety_answers(report.misses, kb) == []


def unrelated_safety_answers(misses, kb) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Safety questions answered with a topic that is neither a safety topic nor one the
    expected topic lists as related (the data-protection law's entry lists the bot's own
    privacy entry, which answers part of such a question)."""
    safety = {"lua-dao-truc-tuyen", "mat-khau-an-toan", "bao-ve-du-lieu-ca-nhan"}
    return [
        (case.question, predicted)
        for case, predicted in misses
        if case.topic in safety
        and predicted is not None
        and predicted not in safety
        and predicted not in kb.topics[case.topic].related
    ]


def test_an_example_question_added_by_an_editor_is_answered_at_once() -> None:
    """The knowledge desk adds an unanswered question to a topic: before the model is retrained
    the question, literally (any case, accents, punctuation), gets that topic."""
    kb = load_directory()[1]
    question = "thôn tôi có mấy đứa thanh niên rảnh muốn làm việc có ích cho làng"
    analyzer = Analyzer(load_lexicon())
    assert not TopicIndex(kb, analyzer, classifier=shipped()).rank(question).confident
    topic = kb.topics["to-cong-nghe-so-cong-dong"]
    edited = replace(topic, questions=(*topic.questions, question))
    grown = replace(kb, topics={**kb.topics, topic.slug: edited}, version="edited")
    index = TopicIndex(grown, analyzer, classifier=shipped())
    for asked in (question, "Thon toi co may dua thanh nien ranh, muon lam viec co ich cho lang?"):
        ranking = index.rank(asked)
        assert ranking.confident and ranking.best is not None
        assert ranking.best.slug == "to-cong-nghe-so-cong-dong"
