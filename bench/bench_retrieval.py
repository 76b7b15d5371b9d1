"""Knowledge-base retrieval benchmark: accuracy against a plain BM25 baseline, speed and growth.

  * accuracy per writing style on the dev set and the holdout set, for our ranking and for a
    plain BM25 baseline (underthesea segmentation, lower case, no accent handling, no teencode,
    its score threshold calibrated on the dev set like ours);
  * time to answer one question (p50/p95/p99) with the shipped knowledge base and with synthetic
    knowledge bases of growing size (up to 5,000 entries), with index build time and memory;
  * wall time from starting `cdsbot ask` to its first answer;
  * with --calibrate: the dev-set grid behind the two thresholds in `Calibration`.
Run: `.venv/bin/python bench/bench_retrieval.py [--sizes 30,1000,5000] [--calibrate] [--write]`;
--write replaces the retrieval section of docs/BENCHMARKS.md.
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
from bot.content.evaluation import Case, Report, evaluate, load_cases  # noqa: E402
from bot.content.index import Calibration, TopicIndex  # noqa: E402
from bot.content.model import KnowledgeBase, Topic  # noqa: E402
from bot.content.store import load_directory  # noqa: E402

DEV = ROOT / "tests/content/devset.jsonl"
DEV_EXTRA = ROOT / "tests/content/devset_extra.jsonl"
DEV_COLLOQUIAL = ROOT / "tests/content/devset_colloquial.jsonl"
HOLDOUT = ROOT / "tests/content/holdout.jsonl"
BLIND = ROOT / "tests/content/blind.jsonl"
START, END = "<!-- retrieval:start -->", "<!-- retrieval:end -->"
STYLES = ["accented", "unaccented", "teencode", "typo", "long"]


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


def dev_cases() -> list[Case]:
    """Every question set that may be used for tuning (never the blind set)."""
    return (
        load_cases(DEV) + load_cases(DEV_EXTRA) + load_cases(DEV_COLLOQUIAL) + load_cases(HOLDOUT)
    )


def accuracy_section(kb: KnowledgeBase, index: TopicIndex) -> str:
    baseline = PlainBM25(kb)
    baseline.calibrate(dev_cases())
    sets = [
        ("dev", DEV),
        ("dev-extra", DEV_EXTRA),
        ("dev-colloquial", DEV_COLLOQUIAL),
        ("holdout", HOLDOUT),
        ("blind", BLIND),
    ]
    header = (
        "| set (questions), ranking | in-scope top-1 | "
        + " | ".join(STYLES)
        + " | out-of-scope declined | small talk |\n|"
        + "---|" * (len(STYLES) + 4)
    )
    lines = [header]
    for name, path in sets:
        cases = load_cases(path)
        lines.append(accuracy_rows(f"{name} ({len(cases)}), ours", evaluate(cases, ours(index))))
        lines.append(accuracy_rows(f"{name}, plain BM25", evaluate(cases, baseline.predict)))
    note = f"Baseline threshold (chosen on the dev sets): {baseline.threshold:g}."
    return "\n".join(lines) + "\n\n" + note


def latency_ms(index: TopicIndex, questions: list[str], repeat: int = 3) -> dict[str, list[float]]:
    """Wall and CPU milliseconds per answered question."""
    for question in questions[:20]:
        respond(question, index)  # warm caches and the segmenter
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        for question in questions:
            start, start_cpu = time.perf_counter(), time.process_time()
            respond(question, index)
            cpu.append((time.process_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    return {"wall": wall, "cpu": cpu}


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
    index = TopicIndex(kb, analyzer)
    build, build_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    gc.collect()
    memory = rss_mb() - before
    questions = [case.question for case in load_cases(DEV) + load_cases(HOLDOUT)]
    times = latency_ms(index, questions)
    result = {
        "entries": len(kb.topics),
        "build": build,
        "build_cpu": build_cpu,
        "memory": memory,
        "rss": rss_mb(),
    }
    for kind in ("wall", "cpu"):
        for q in (50, 95, 99):
            result[f"{kind}_p{q}"] = percentile(times[kind], q)
    return result


def growth_section(sizes: list[int]) -> str:
    lines = [
        "| entries | index build (CPU) | index memory | p50 | p95 | p99 | p99 CPU | RSS |",
        "|---|---|---|---|---|---|---|---|",
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
            f"{r['wall_p99']:.2f} ms | {r['cpu_p99']:.2f} ms | {r['rss']:.0f} MB |"
        )
        print(lines[-1], flush=True)
    return "\n".join(lines)


def first_answer_seconds(runs: int = 3) -> tuple[float, float]:
    """Median wall time of `cdsbot ask "…"` (accented) and of `ask --jsonl` (first line)."""
    exe = str(ROOT / ".venv/bin/cdsbot")
    person, jsonl = [], []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [exe, "ask", "Đăng ký tài khoản định danh mức 2 ở đâu?"],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        person.append(time.perf_counter() - start)
        start = time.perf_counter()
        with subprocess.Popen(
            [exe, "ask", "--jsonl"],
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


def calibration_section(kb: KnowledgeBase) -> str:
    """In-scope top-1 / out-of-scope declined on the dev set for thresholds around the chosen."""
    chosen = Calibration()
    index = TopicIndex(kb, Analyzer(load_lexicon()), chosen)
    cases = [case for case in dev_cases() if case.style != "smalltalk"]
    tops = []
    for case in cases:
        best = index.rank(case.question).best
        tops.append((case, best))
    shares = [chosen.share + d for d in (-0.06, -0.04, -0.02, 0.0, 0.02, 0.04)]
    evidences = [chosen.evidence + d for d in (-3.0, -1.0, 0.0, 1.0, 3.0)]
    n_in = sum(1 for case in cases if case.topic)
    n_out = len(cases) - n_in
    lines = [
        "| share \\ evidence | " + " | ".join(f"{e:g}" for e in evidences) + " |",
        "|---|" + "---|" * len(evidences),
    ]
    for share in shares:
        cells = []
        for evidence in evidences:

            def accepted(hit, share=share, evidence=evidence) -> bool:  # type: ignore[no-untyped-def]
                return hit is not None and (hit.share >= share or hit.evidence >= evidence)

            right_in = sum(1 for c, h in tops if c.topic and accepted(h) and h.slug == c.topic)
            right_out = sum(1 for c, h in tops if not c.topic and not accepted(h))
            cells.append(f"{pct(right_in / n_in)} / {pct(right_out / n_out)}")
        lines.append(f"| {share:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


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
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_size(args.one)))
        return

    kb = load_directory()[1]
    index = TopicIndex(kb, Analyzer(load_lexicon()))
    accuracy = accuracy_section(kb, index)
    print(accuracy, flush=True)
    growth = growth_section([int(s) for s in args.sizes.split(",")])
    person, jsonl = first_answer_seconds()
    print(f"cdsbot ask first answer: {person:.2f} s (question), {jsonl:.2f} s (--jsonl)")
    calibration = calibration_section(kb) if args.calibrate else ""
    if calibration:
        print(calibration)
    if args.write:
        write_doc(accuracy, growth, person, jsonl, calibration)


def write_doc(accuracy: str, growth: str, person: float, jsonl: float, calibration: str) -> None:
    c = Calibration()
    body = f"""{START}
## Knowledge base and question answering (`bench/bench_retrieval.py`)

Machine: {machine()}. Date: {date.today().strftime("%d/%m/%Y")}. Shipped knowledge base:
30 entries. "Right" means the topic whose answer was given is the expected one; an out-of-scope
question or small talk is right when no topic is answered.

Question sets: `devset.jsonl` (305, shipped with the content), `devset_extra.jsonl` (110),
`devset_colloquial.jsonl` (75) and `holdout.jsonl` (110) are the tuning sets; `blind.jsonl` (190:
5 questions per topic in five styles, 40 out of scope, half of them near-misses) was written last,
by someone who read neither the entries nor the other sets, and is never used for tuning or
looked at question by question — only its totals are read.

History, honestly: the holdout was first run after tuning on `devset.jsonl` alone (67.8 % in
scope, 95.0 % out of scope declined: that dev set was too close to the entries' own example
questions); then after two more dev sets and lexicon work (82.2 % / 95.0 %). The entries' example
questions and keywords were then widened (about 440 everyday phrasings written without reading any
evaluation set), the holdout joined the tuning sets, the thresholds were re-chosen on all four
pooled (the setting that maximises the worse of in-scope and out-of-scope), and the blind set was
measured with that choice.

### Accuracy: our ranking vs. a plain BM25 baseline

{accuracy}

Our ranking: normalisation (NFC, tone placement), Telex repair, teencode, accent-stripped and
accented views, underthesea segmentation, BM25 (bm25s) in three views (segmented words, accent-
stripped syllables and pairs, character trigrams), fuzzy re-ranking (rapidfuzz) against example
questions; answer only when share ≥ {c.share} or evidence ≥ {c.evidence}. Baseline: BM25 over
underthesea-segmented lower-case text, no accent handling, no teencode, its score threshold
chosen on the dev set in the same way.

### Speed and growth with knowledge-base size

Time to answer one question (small-talk check, analysis, ranking, decision; no database), over
the dev and holdout questions three times, wall clock and CPU time of the process (the machine is
shared with other test runs, so wall-clock tails include waiting for a core). Each size runs in a
fresh process. Entries beyond the shipped 30 are synthetic copies with invented words, so the
vocabulary grows with them. Index memory is the growth of the process's resident memory while
building, most of it the token lists of the build that Python keeps for reuse (a tracemalloc
measurement at 1,000 entries found about 8 MB still held by the index itself); RSS is the whole
process (underthesea alone is about 110 MB). The per-question time hardly depends on the size.

{growth}

`cdsbot ask` from process start to first answer (median of 3): {person:.2f} s for an accented
question; {jsonl:.2f} s for the first line of `--jsonl`. Target: ≤ 3 s.
"""
    if calibration:
        body += f"""
### Threshold calibration (dev sets only)

In-scope top-1 / out-of-scope declined for thresholds around the chosen ones
(share {c.share}, evidence {c.evidence}); the choice sits on a plateau, leaning to declining
when unsure.

{calibration}
"""
    replace_section(body + END, START, END)


if __name__ == "__main__":
    main()
