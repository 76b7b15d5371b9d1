"""Knowledge-base retrieval benchmark: accuracy against a plain BM25 baseline, speed and growth.

  * accuracy per writing style (seven styles) on every tuning set and on all of them pooled, for
    our ranking, and pooled for a plain BM25 baseline (underthesea segmentation, lower case, no
    accent handling, no teencode, its score threshold calibrated on the tuning sets);
  * with --blind PATH: the same figures for a blind set, measured once (never tuned on);
  * time to answer one question (p50/p95/p99) with the shipped knowledge base and with synthetic
    knowledge bases of growing size (up to 5,000 entries), with index build time and memory;
  * wall time from starting `cdsbot ask` to its first answer;
  * with --calibrate: 5-fold cross-validation (repeated with 5 shuffles) of the threshold choice
    on the pooled tuning sets, the thresholds chosen on all of them, and the grid around them.
Run: `python bench/bench_retrieval.py [--sizes 30,1000,5000] [--calibrate] [--blind PATH]
[--write]`; --write replaces the retrieval section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bm25s  # noqa: E402
import numpy as np  # noqa: E402

from bench.benchdoc import replace_section  # noqa: E402
from bot.content.analysis import Analyzer, load_lexicon, segment  # noqa: E402
from bot.content.answers import AnswerKind, respond  # noqa: E402
from bot.content.evaluation import (  # noqa: E402
    Case,
    Report,
    Thresholds,
    choose,
    evaluate,
    grouped_cross_validate,
    held_out_scores,
    load_cases,
    rates,
)
from bot.content.index import Calibration, TopicIndex  # noqa: E402
from bot.content.learned import EXAMPLES_DIR, MODEL_FILE, shipped  # noqa: E402
from bot.content.model import KnowledgeBase, Topic  # noqa: E402
from bot.content.store import load_directory  # noqa: E402

SETS = EXAMPLES_DIR
# Every example set: the model's training data and the groups of the grouped cross-validation.
# "blind" and "blind_outside" were blind sets once and were read, so they are examples now.
TUNING = [(path.stem, path) for path in sorted(SETS.glob("*.jsonl"))]
START, END = "<!-- retrieval:start -->", "<!-- retrieval:end -->"
STYLES = ["accented", "unaccented", "teencode", "typo", "long", "short", "colloquial"]
# Measured on 02/12/2026: the lexical ranking before the example-trained model (commit 8d9c31b)
# and the example-trained model, on the two outside writers' sets (never tuned on by the code
# before; the model's figures are held out: trained without the set).
BEFORE_AFTER = "\n".join(
    [
        "| set, code | in-scope right | " + " | ".join(STYLES) + " | out-of-scope declined |",
        "|---|" + "---|" * (len(STYLES) + 2),
        "| blind_outside (272), lexical before | 79.5 % | 93.3 % | 86.7 % | 76.7 % | 76.7 % "
        "| 76.7 % | 90.0 % | 56.7 % | 96.8 % |",
        "| blind_outside, learned, held out | 90.5 % | 100.0 % | 100.0 % | 86.7 % | 90.0 % "
        "| 83.3 % | 96.7 % | 76.7 % | 100.0 % |",
        "| dev2 (480), lexical before | 87.4 % | 98.3 % | 95.0 % | 88.3 % | 75.0 % | 78.3 % "
        "| 95.0 % | 81.7 % | 93.3 % |",
        "| dev2, learned, first look (trained before dev2 arrived) | 93.6 % | 100.0 % "
        "| 100.0 % | 90.0 % | 98.3 % | 78.3 % | 100.0 % | 88.3 % | 98.3 % |",
        "| dev2, learned, held out (final code) | 94.5 % | 100.0 % | 100.0 % | 91.7 % "
        "| 98.3 % | 83.3 % | 100.0 % | 88.3 % | 98.3 % |",
        "| dev3 (480), learned, first read on arrival (third session's code, threshold 0.73) "
        "| 90.5 % | 96.7 % | 91.7 % | 93.3 % | 90.0 % | 86.7 % | 96.7 % | 78.3 % | 100.0 % |",
        "| dev3, learned, held out (final code, after its misses were studied) | 91.7 % "
        "| 96.7 % | 96.7 % | 91.7 % | 90.0 % | 86.7 % | 100.0 % | 80.0 % | 100.0 % |",
        "| all nine sets, lexical before (seven of them tuned on) | 92.0 % | 97.2 % | 96.0 % "
        "| 93.1 % | 86.6 % | 87.6 % | 96.7 % | 80.8 % | 95.7 % |",
    ]
)
SAFETY = {"lua-dao-truc-tuyen", "mat-khau-an-toan", "bao-ve-du-lieu-ca-nhan"}


class PlainBM25:
    """The baseline: BM25 over underthesea-segmented, lower-cased text, nothing else."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._slugs = list(kb.topics)
        docs = [
            self._tokens(" ".join([t.title, *t.questions, *t.keywords])) for t in kb.topics.values()
        ]
        self._bm25 = bm25s.BM25()
        self._bm25.index(docs, show_progress=False)
        self.threshold = 0.0

    @staticmethod
    def _tokens(text: str) -> list[str]:
        words = re.findall(r"[^\W_]+", text.lower())
        return ["_".join(w.split()) for w in segment(words)] if words else []

    def best(self, question: str) -> tuple[str | None, float]:
        """The top topic and its raw BM25 score."""
        ids = [
            self._bm25.vocab_dict[t] for t in self._tokens(question) if t in self._bm25.vocab_dict
        ]
        if not ids:
            return None, 0.0
        scores = self._bm25.get_scores(ids)
        top = int(np.argmax(scores))
        return self._slugs[top], float(scores[top])

    def predict(self, question: str) -> str | None:
        slug, score = self.best(question)
        return slug if score >= self.threshold and score > 0 else None

    def calibrate(self, cases: list[Case]) -> None:
        """Pick the score threshold that best balances in-scope and out-of-scope on the dev set."""
        scored = [(case, *self.best(case.question)) for case in cases if case.style != "smalltalk"]
        n_in = sum(1 for case, _, _ in scored if case.topic)
        n_out = len(scored) - n_in
        best = (-1.0, 0.0)
        for threshold in np.arange(0.0, 30.0, 0.25):
            right_in = sum(1 for c, s, v in scored if c.topic and s == c.topic and v >= threshold)
            right_out = sum(1 for c, s, v in scored if not c.topic and (s is None or v < threshold))
            value = min(right_in / n_in, right_out / n_out) + (right_in / n_in + right_out / n_out)
            best = max(best, (value, float(threshold)))
        self.threshold = best[1]


def ours(index: TopicIndex) -> Callable[[str], str | None]:
    def predict(question: str) -> str | None:
        answer = respond(question, index)
        return answer.topic.slug if answer.kind is AnswerKind.TOPIC and answer.topic else None

    return predict


def pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def accuracy_rows(name: str, report: Report) -> str:
    styles = " | ".join(pct(report.style(s)) if report.total.get(s) else "–" for s in STYLES)
    return (
        f"| {name} | {pct(report.in_scope)} | {styles} | {pct(report.out_of_scope)} | "
        f"{pct(report.small_talk) if report.total.get('smalltalk') else '–'} |"
    )


def tuning_sets() -> list[tuple[str, list[Case]]]:
    """Every question set that may be used for tuning and is present (never a blind set)."""
    return [(name, load_cases(path)) for name, path in TUNING if path.exists()]


def dev_cases() -> list[Case]:
    """The tuning sets pooled."""
    return [case for _, cases in tuning_sets() for case in cases]


def header() -> str:
    return (
        "| set (questions), ranking | in-scope top-1 | "
        + " | ".join(STYLES)
        + " | out-of-scope declined | small talk |\n|"
        + "---|" * (len(STYLES) + 4)
    )


def accuracy_section(kb: KnowledgeBase, index: TopicIndex) -> str:
    baseline = PlainBM25(kb)
    pooled = dev_cases()
    baseline.calibrate(pooled)
    lines = [header()]
    for name, cases in tuning_sets():
        lines.append(accuracy_rows(f"{name} ({len(cases)}), ours", evaluate(cases, ours(index))))
    lines.append(
        accuracy_rows(f"**all example sets ({len(pooled)}), ours**", evaluate(pooled, ours(index)))
    )
    lines.append(accuracy_rows("all example sets, plain BM25", evaluate(pooled, baseline.predict)))
    note = f"Baseline threshold (chosen on the tuning sets): {baseline.threshold:g}."
    return "\n".join(lines) + "\n\n" + note


def blind_section(index: TopicIndex, path: Path) -> tuple[str, Report]:
    """One row per style for a blind set, measured once; the misses are not shown."""
    cases = load_cases(path)
    report = evaluate(cases, ours(index))
    unsafe, related = safety_misses(report, index.kb)
    table = header() + "\n" + accuracy_rows(f"{path.name} ({len(cases)}), ours", report)
    return (
        f"{table}\n\nSafety questions (scam, passwords, personal data) answered with an "
        f"unrelated topic: {unsafe}; with a non-safety topic the expected one lists as related: "
        f"{related}.",
        report,
    )


def safety_misses(report: Report, kb: KnowledgeBase) -> tuple[int, int]:
    """Safety questions answered with another, non-safety topic: (unrelated, related)."""
    elsewhere = [
        (case, predicted)
        for case, predicted in report.misses
        if case.topic in SAFETY and predicted is not None and predicted not in SAFETY
    ]
    unsafe = sum(
        1 for case, predicted in elsewhere if predicted not in kb.topics[case.topic].related
    )
    return unsafe, len(elsewhere) - unsafe


def latency_ms(index: TopicIndex, questions: list[str], repeat: int = 3) -> dict[str, list[float]]:
    """Wall and CPU milliseconds per answered question."""
    for question in questions[:20]:
        respond(question, index)  # warm caches and the segmenter
    wall: list[float] = []
    cpu: list[float] = []
    best = [float("inf")] * len(questions)
    for _ in range(repeat):
        for number, question in enumerate(questions):
            start, start_cpu = time.perf_counter(), time.process_time()
            respond(question, index)
            cpu.append((time.process_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
            best[number] = min(best[number], wall[-1])
    # "best": each question's fastest of the repeats, which leaves out most of the time spent
    # waiting for a core on a shared machine (the cost of the question itself).
    return {"wall": wall, "cpu": cpu, "best": best}


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def synthetic_kb(base: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """`size` entries made from the shipped ones with invented words, so the vocabulary grows."""
    rng = random.Random(seed)
    syllables = sorted(
        {
            w
            for t in base.topics.values()
            for q in t.questions
            for w in re.findall(r"[^\W\d_]+", q.lower())
        }
    )
    originals = list(base.topics.values())
    topics: dict[str, Topic] = {}
    for number in range(size):
        source = originals[number % len(originals)]
        if number < len(originals):
            topics[source.slug] = source
            continue
        invented = [" ".join(rng.sample(syllables, 2)) for _ in range(3)]
        questions = tuple(f"{q} {rng.choice(invented)}" for q in source.questions)
        slug = f"{source.slug}-{number}"
        topics[slug] = replace(
            source,
            slug=slug,
            title=f"{source.title} {invented[0]}",
            questions=questions,
            keywords=(*source.keywords, *invented),
            related=(),
        )
    return KnowledgeBase(topics, base.themes, base.tips, f"synthetic-{size}", {})


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure_size(size: int) -> dict[str, float]:
    """Build an index of `size` entries in this (fresh) process and time questions against it."""
    base = load_directory()[1]
    kb = base if size <= len(base.topics) else synthetic_kb(base, size)
    analyzer = Analyzer(load_lexicon())
    TopicIndex(base, analyzer)  # load underthesea and warm caches before measuring
    gc.collect()
    before = rss_mb()
    start, start_cpu = time.perf_counter(), time.process_time()
    shipped.cache_clear()
    index = TopicIndex(kb, analyzer, classifier=shipped())
    build, build_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    gc.collect()
    memory = rss_mb() - before
    questions = [case.question for case in dev_cases()]
    times = latency_ms(index, questions)
    result = {
        "entries": len(kb.topics),
        "build": build,
        "build_cpu": build_cpu,
        "memory": memory,
        "rss": rss_mb(),
    }
    for kind in ("wall", "cpu", "best"):
        for q in (50, 95, 99):
            result[f"{kind}_p{q}"] = percentile(times[kind], q)
    return result


def growth_section(sizes: list[int]) -> str:
    lines = [
        "| entries | index build (CPU) | index memory | p50 | p95 | p99 | p99 CPU "
        "| p99 best of 3 | RSS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        output = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        r = json.loads(output.strip().splitlines()[-1])
        lines.append(
            f"| {int(r['entries']):,} | {r['build']:.1f} s ({r['build_cpu']:.1f} s) | "
            f"{r['memory']:.0f} MB | {r['wall_p50']:.2f} ms | {r['wall_p95']:.2f} ms | "
            f"{r['wall_p99']:.2f} ms | {r['cpu_p99']:.2f} ms | {r['best_p99']:.2f} ms | "
            f"{r['rss']:.0f} MB |"
        )
        print(lines[-1], flush=True)
    return "\n".join(lines)


def first_answer_seconds(runs: int = 3) -> tuple[float, float]:
    """Median wall time of `cdsbot ask "…"` (accented) and of `ask --jsonl` (first line)."""
    exe = [sys.executable, "-c", "from bot.entry import main; main()"]
    person, jsonl = [], []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [*exe, "ask", "Đăng ký tài khoản định danh mức 2 ở đâu?"],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        person.append(time.perf_counter() - start)
        start = time.perf_counter()
        with subprocess.Popen(
            [*exe, "ask", "--jsonl"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        ) as proc:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write("làm sao để lấy lại mật khẩu vneid\n")
            proc.stdin.flush()
            proc.stdout.readline()
            jsonl.append(time.perf_counter() - start)
            proc.stdin.close()
    return statistics.median(person), statistics.median(jsonl)


def merged(reports: list[Report]) -> Report:
    """Several reports as one (sums per style)."""
    total = Report()
    for report in reports:
        for kind, count in report.total.items():
            total.total[kind] = total.total.get(kind, 0) + count
            total.right[kind] = total.right.get(kind, 0) + report.right.get(kind, 0)
        total.misses.extend(report.misses)
    return total


def calibration_section(kb: KnowledgeBase) -> str:
    """Grouped cross-validation: a model trained without a whole set, measured on that set with
    the threshold chosen on the other sets' held-out scores; the threshold chosen on them all."""
    shipped_c = Calibration()
    groups = {name: load_cases(path) for name, path in TUNING}
    start = time.perf_counter()
    held = held_out_scores(groups, kb)
    seconds = time.perf_counter() - start
    folds = grouped_cross_validate(held)
    lines = [
        header().replace("| set (questions), ranking |", "| held-out set (questions), threshold |")
    ]
    for fold in folds:
        assert fold.report is not None
        lines.append(
            accuracy_rows(
                f"{fold.group} ({len(groups[fold.group])}), {fold.chosen.probability:g}",
                fold.report,
            )
        )
    pooled = merged([fold.report for fold in folds if fold.report is not None])
    lines.append(accuracy_rows("**all sets, each held out**", pooled))
    everything = [item for items in held.values() for item in items]
    chosen = choose(everything)
    right_in, right_out = rates(everything, chosen)
    shipped_in, shipped_out = rates(everything, Thresholds(shipped_c.probability))
    unsafe, related = safety_misses(pooled, kb)
    summary = (
        f"Leave one set out ({len(groups)} sets, {len(everything)} questions; "
        f"{seconds:.0f} s for the {len(groups)} trainings): each set is scored by a model "
        f"trained on the topics' own examples and every other set, and answered with the "
        f"threshold chosen on the other sets' held-out scores. Pooled: **{pct(pooled.in_scope)} "
        f"in-scope right, {pct(pooled.out_of_scope)} out-of-scope declined**; safety questions "
        f"(scam, passwords, personal data) answered with an unrelated topic: {unsafe}; with a "
        f"non-safety topic that the expected one lists as related: {related}. This is "
        f"the estimate for wording the model has not seen; the figures on the sets it was "
        f"trained on (above) are not.\n\nThreshold chosen on all held-out scores (maximise the "
        f"worse of the two rates, then their sum, then the more cautious): probability ≥ "
        f"{chosen.probability:g} ({pct(right_in)} / {pct(right_out)}). Shipped in "
        f"`Calibration`: {shipped_c.probability:g} ({pct(shipped_in)} / {pct(shipped_out)})."
    )
    grid = [round(shipped_c.probability + d, 2) for d in (-0.1, -0.05, 0.0, 0.05, 0.1)]
    table = [
        "| probability ≥ | " + " | ".join(f"{p:g}" for p in grid) + " |",
        "|---|" + "---|" * len(grid),
        "| in-scope right / out-of-scope declined | "
        + " | ".join("{} / {}".format(*map(pct, rates(everything, Thresholds(p)))) for p in grid)
        + " |",
    ]
    return summary + "\n\n" + "\n".join(lines) + "\n\n" + "\n".join(table)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (`nproc`), {cpu}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="30,1000,2000,5000")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--blind", type=Path, help="a blind set to measure once (per style)")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_size(args.one)))
        return

    kb = load_directory()[1]
    index = TopicIndex(kb, Analyzer(load_lexicon()), classifier=shipped())
    blind = ""
    if args.blind:
        blind, _ = blind_section(index, args.blind)
        print(blind, flush=True)
        if not args.write:
            return  # measuring the blind set alone: nothing else is needed
    accuracy = accuracy_section(kb, index)
    print(accuracy, flush=True)
    growth = growth_section([int(s) for s in args.sizes.split(",")])
    person, jsonl = first_answer_seconds()
    print(f"cdsbot ask first answer: {person:.2f} s (question), {jsonl:.2f} s (--jsonl)")
    calibration = calibration_section(kb) if args.calibrate else ""
    if calibration:
        print(calibration)
    if args.write:
        write_doc(accuracy, growth, person, jsonl, calibration, blind)


def write_doc(
    accuracy: str, growth: str, person: float, jsonl: float, calibration: str, blind: str
) -> None:
    c = Calibration()
    sizes = ", ".join(
        f"`{path.name}` ({len(load_cases(path))})" for _, path in TUNING if path.exists()
    )
    blind_text = (
        f"Read once by the lead on the final code, {date.today().strftime('%d/%m/%Y')}, with "
        f"the threshold chosen by the cross-validation before it was read; counts only, the "
        f"misses are not shown:\n\n{blind}"
        if blind
        else "No blind set is waiting; a new one is read once, at the end, by the lead "
        "(`python bench/bench_retrieval.py --blind PATH`)."
    )
    blind_text += (
        "\n\nEvery earlier blind set and its single reading: below this section and in "
        "docs/STATUS.md (issue 14)."
    )
    body = f"""{START}
## Knowledge base and question answering (`bench/bench_retrieval.py`)

Machine: {machine()}. Date: {date.today().strftime("%d/%m/%Y")}. Shipped knowledge base:
30 entries. "Right" means the topic whose answer was given is the expected one; an out-of-scope
question or small talk is right when no topic is answered. Seven writing styles: accented,
unaccented, teencode, typo, long (first-person stories), short (two or three words),
colloquial (everyday or regional wording).

Example sets, the model's training data (all may be looked at): {sizes}, in
`bot/content/examples/`. `blind.jsonl` and `blind_outside.jsonl` were blind sets once and were
read, so they are examples now; `outside_dev.jsonl` and `blind_outside.jsonl` come from one
outside writer, `dev2.jsonl` and `blind2.jsonl` (the two halves of a pool of 960; `blind2` was a
blind set, measured once) from a second one, `dev3.jsonl` and `blind3.jsonl` (the two halves of
a second pool of 960; `blind3` was the blind set of the fourth session of 02/12/2026) from a third
one, `outside4a.jsonl`, `outside4b.jsonl` and `outside5.jsonl` (written for training: regional
everyday wording, long stories, out-of-scope questions near the domain) from a fourth, fifth and
sixth. A blind set is written by yet another writer, kept outside the project and measured once
with `--blind PATH` (bot/content/examples/README.md has each file's history).

### Accuracy per style

On the sets the model was trained on (how well it fits what it was taught, not an estimate):

{accuracy}

On unseen wording: the grouped cross-validation in the calibration section below (each set
scored by a model trained without it). Before and after, on the outside writers' sets:

{BEFORE_AFTER}

### Blind set (measured once, never tuned on)

{blind_text}

Our ranking (bot/content/learned.py, bot/content/index.py): normalisation (NFC, tone placement),
Telex repair, abbreviations, teencode and regional words (`bot/content/lexicon.yaml`; ambiguous
short ones such as "k", "v", "mk", "tk" only where their neighbours say what they mean), then a
multinomial logistic regression over accent-stripped words, word pairs and character 3–5-grams
across word boundaries (TF-IDF, sublinear, unit length), trained on the example sets, the
topics' own titles, example questions and keywords, and out-of-scope questions as a class of
their own (mini-batch AdaGrad on numpy, `cdsbot content train`, a few seconds; the model ships
as `bot/content/examples/model.npz`, {MODEL_FILE.stat().st_size // 1024} KB, and a test fails
when it is older than its examples). Intent cues add {c.cue_logit} to their topic's logit per
cue (at most {c.cue_limit}: "bị lừa", "báo ở đâu", "thật không" → the scam topic). The bot
answers the best topic when p / (p + p_out_of_scope) ≥ {c.probability} (one threshold for
every style, chosen by the grouped cross-validation below); a long story whose whole is unsure
is also read by its last sentence. Declines by rule (weather, prices, medicine…) only apply to
one-sentence questions. Topics the model does not know (added since it was trained) are ranked
by the lexical BM25 ranking of the earlier work.
Baseline: BM25 over underthesea-segmented lower-case text, no accent handling, no teencode, its
score threshold chosen on the example sets.

### Speed and growth with knowledge-base size

Time to answer one question (small-talk check, analysis, ranking, decision; no database), over
all tuning questions three times, wall clock and CPU time of the process (the machine is
shared with other engineers' test runs, so wall-clock tails include waiting for a core). Each
size runs in a fresh process. Entries beyond the shipped 30 are synthetic copies with invented
words, so the vocabulary grows with them. Index memory is the growth of the process's resident
memory while loading the model and building (with the shipped 30 entries no lexical index is
built: the model knows every topic); RSS is the whole process. "Best of
3" takes each question's fastest of its three runs before the percentile: on a shared machine
it leaves out most of the waiting for a core, so it is the cost of the question itself. Target:
p99 ≤ 5 ms per question with the shipped content (first row). The synthetic entries are unknown
to the model (trained on the shipped topics), so every question also goes through the lexical
ranking and its BM25 index: the worst case of a knowledge base grown without retraining.

{growth}

Before and after on the shipped content, same machine and load, alternating processes (two
rounds each, load average 4.5–6.4, all 2,139 example questions three times): the lexical
ranking before p50 0.80–0.90 ms, p99 best of 3 6.8–7.0 ms, p99 CPU 4.7–5.0 ms, content parse
and index build 2.0–2.5 s (with underthesea's first load); the example-trained model p50
0.32–0.37 ms, p99 best of 3 1.26–1.46 ms, p99 CPU 1.64–1.79 ms, parse, model load and index
0.29–0.41 s (the model's load and index alone ≈ 30 ms, ≈ 7 MB resident).
Fourth session of 02/12/2026 (regional words, more cues, 3,099 example questions; model file
1,800 KB instead of 1,527 KB): the shipped content, `--one 30`, alternating the third session's
tree and this one, two rounds each, load average 4.0–5.2 (each tree times its own example
questions: 2,139 and 3,099): before p50 0.41 / 0.62 ms, p99 CPU 1.49 / 2.01 ms, p99 best of 3
1.03 / 2.27 ms; after p50 0.53 / 0.69 ms, p99 CPU 1.69 / 2.22 ms, p99 best of 3 1.30 / 1.97 ms;
model load and index 8 MB. Wall-clock p99 5.8–12.8 ms in both is waiting for a core on the loaded
machine.

`cdsbot ask` from process start to first answer (median of 3): {person:.2f} s for an accented
question; {jsonl:.2f} s for the first line of `--jsonl`. Target: ≤ 3 s.
"""
    if calibration:
        body += f"""
### Grouped cross-validation and the threshold

{calibration}

(Last table: in-scope right / out-of-scope declined on all held-out scores for thresholds
around the shipped one.)
"""
    replace_section(body + END, START, END)


if __name__ == "__main__":
    main()
