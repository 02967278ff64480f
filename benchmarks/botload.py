"""The Telegram bot under load: 500 questions from 100 chats arriving together.

`tanya bot` runs as a user runs it (its own process, the real PTB
Application, offline answers) against the local Bot API server
(`tests/servers/telegram_api.py`) on a copy of the FacQA index as `tanya add`
leaves it (its sentence vectors made: `coldstart.index_as_added`). After one
warm-up question (a bot that has been running a while has loaded its
models), the benchmark pushes every question at once, five per chat, and
polls what the bot sent every 20 ms: a question's latency is from its push
to the last change of its reply (the final text). Peak RSS is the bot
process's VmHWM.

The baseline: the same questions through the `Answerer` in one warm process,
one after another (`tanya ask` without the start-up), in a subprocess of its
own so its peak RSS is its own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cache import Cache
from .coldstart import child_env, index_as_added
from .facqa import load_split
from .latency import percentile
from .report import table

CHATS, PER_CHAT = 100, 5
QUICK_CHATS = 4
POLL_S = 0.02
QUIET_S = 3.0
TIMEOUT_S = 1200
REPO = Path(__file__).resolve().parent.parent


def _status_mb(pid: int | str, field: str = "VmHWM") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def baseline(data_dir: Path, questions: list[str]) -> dict[str, Any]:
    """Every question through one warm `Answerer`, one after another."""
    from retrieval.answer import Answerer
    from retrieval.core import Settings
    from retrieval.store import ArticleIndex

    settings = Settings(_env_file=None, data_dir=data_dir, llm="")  # type: ignore[call-arg]
    index = ArticleIndex(settings)
    answerer = Answerer(index, settings)
    answerer.ask(questions[0])  # warm-up, as the bot gets
    times = []
    started = time.perf_counter()
    for q in questions:
        t0 = time.perf_counter()
        answerer.ask(q)
        times.append(time.perf_counter() - t0)
    wall = time.perf_counter() - started
    index.close()
    return {"wall_s": wall, "latencies_s": times, "peak_rss_mb": _status_mb("self")}


def bot_run(data_dir: Path, questions: list[str], chats: int, log: Callable[[str], None]) -> dict:
    sys.path.insert(0, str(REPO))
    from tests.servers.telegram_api import TelegramServer

    server = TelegramServer()
    server.start()
    env = child_env() | {
        "TANYA_DATA_DIR": str(data_dir),
        "TANYA_LLM": "",
        "TELEGRAM_BOT_TOKEN": server.token,
        "TANYA_TELEGRAM_BASE_URL": server.base_url,
        "TANYA_TELEGRAM_FILE_BASE_URL": server.base_file_url,
        "TANYA_RATE_LIMIT_PER_MINUTE": "1000",
    }
    tanya = Path(sys.executable).parent / "tanya"
    argv = [str(tanya)] if tanya.exists() else [sys.executable, "-m", "bot.cli"]
    proc = subprocess.Popen(
        [*argv, "bot"],
        env=env,
        cwd=data_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        server.wait_for(lambda: server.calls_of("getUpdates") or proc.poll() is not None, 180)
        if proc.poll() is not None:
            raise RuntimeError(f"tanya bot exited: {proc.stdout.read() if proc.stdout else ''}")
        warm = server.message("Siapa yang memimpin pertempuran?", chat_id=9)
        server.wait_for(
            lambda: any(m.reply_to_message_id == warm for m in server.sent_messages(9)), 180
        )
        rss_before = _status_mb(proc.pid, "VmRSS")
        pushed: dict[tuple[int, int], float] = {}
        started = time.perf_counter()
        for i, q in enumerate(questions):
            chat = 1000 + i % chats
            pushed[(chat, server.message(q, chat_id=chat))] = time.perf_counter()
        log(f"  botload: {len(pushed)} questions pushed in {time.perf_counter() - started:.2f} s")
        state: dict[tuple[int, int], tuple[str, int]] = {}
        changed: dict[tuple[int, int], float] = {}
        last_change = time.perf_counter()
        deadline = started + TIMEOUT_S
        while time.perf_counter() < deadline:
            now = time.perf_counter()
            for m in server.sent_messages():
                key = (m.chat_id, m.reply_to_message_id or -1)
                if key not in pushed:
                    continue
                seen = (m.html, m.edits)
                if state.get(key) != seen:
                    state[key], changed[key], last_change = seen, now, now
            if len(changed) == len(pushed) and now - last_change > QUIET_S:
                break
            time.sleep(POLL_S)
        peak = _status_mb(proc.pid)
        replies = Counter(
            (m.chat_id, m.reply_to_message_id)
            for m in server.sent_messages()
            if (m.chat_id, m.reply_to_message_id or -1) in pushed
        )
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        server.stop()
    latencies = [changed[k] - pushed[k] for k in pushed if k in changed]
    wall = max(changed.values()) - started if changed else float("nan")
    return {
        "questions": len(pushed),
        "answered": len(changed),
        "answered_once": sum(1 for k in pushed if replies.get(k) == 1),
        "wall_s": wall,
        "latencies_s": latencies,
        "peak_rss_mb": peak,
        "rss_before_burst_mb": rss_before,
    }


def run(
    cache: Cache, facqa_data_dir: Path, facqa_dir: Path, quick: bool, log: Callable[[str], None]
) -> dict[str, Any]:
    scratch = cache.scratch("botload")
    data = scratch / "data"
    shutil.rmtree(data, ignore_errors=True)
    # The index a user's `tanya add` leaves: with its sentence vectors, so an
    # answer embeds no candidate sentence (an index without them measures the
    # answerer embedding sentences, which `tanya add` no longer leaves to it).
    added = index_as_added(cache, facqa_data_dir, log)
    shutil.copytree(added, data, ignore=shutil.ignore_patterns("done.json"))
    chats = QUICK_CHATS if quick else CHATS
    pool = [q.question for q in load_split(facqa_dir, "valid")]
    questions = [pool[i % len(pool)] for i in range(chats * PER_CHAT)]
    (scratch / "questions.json").write_text(json.dumps(questions, ensure_ascii=False))
    try:
        log(f"  botload: baseline, {len(questions)} questions through one warm Answerer …")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.botload",
                str(data),
                str(scratch / "questions.json"),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            log(proc.stderr[-3000:])
            raise RuntimeError("the baseline failed")
        base = json.loads(proc.stdout.strip().splitlines()[-1])
        log(f"  botload: `tanya bot`, {len(questions)} questions from {chats} chats at once …")
        bot = bot_run(data, questions, chats, log)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"baseline": base, "bot": bot, "chats": chats}


def render(result: dict[str, Any]) -> str:
    rows = []
    for name, r in (
        ("`tanya ask` path, one warm process (baseline)", result["baseline"]),
        ("`tanya bot`, all at once", result["bot"]),
    ):
        lat = r["latencies_s"]
        rows.append(
            {
                "what": name,
                "answers": len(lat),
                "answers/s": len(lat) / r["wall_s"],
                "p50 s": percentile(lat, 50),
                "p95 s": percentile(lat, 95),
                "peak RSS MB": r["peak_rss_mb"],
            }
        )
    bot = result["bot"]
    return "\n".join(
        [
            "## The Telegram bot under load",
            "",
            f"{bot['questions']} FacQA valid questions from {result['chats']} chats "
            f"({PER_CHAT} each), pushed to the local Bot API server at once, answered "
            "offline by `tanya bot` (its own process, the real PTB Application, polling); "
            "latency from a question's push to the final text of its reply (polled every "
            f"{POLL_S * 1000:.0f} ms). The baseline asks the same questions one after "
            "another through the `Answerer` in one warm process: its p50/p95 is one "
            "answer's compute time, its answers/s what one process does sequentially.",
            "",
            table(rows),
            "",
            f"Answered: {bot['answered']} of {bot['questions']}; answered exactly once: "
            f"{bot['answered_once']}. The bot's RSS before the burst: "
            f"{bot['rss_before_burst_mb']:.0f} MB.",
        ]
    )


if __name__ == "__main__":
    out = baseline(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text()))
    print(json.dumps(out))
