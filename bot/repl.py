"""`tanya chat`: a conversation in the terminal.

Follow-up questions use the conversation ("siapa pemimpinnya?" after a
question about a battle). Typed lines are kept across runs in
`TANYA_DATA_DIR/chat_history` (arrow keys, Ctrl-R). Ctrl-C cancels the answer
being written and stays; Ctrl-D (or /quit) leaves.

When stdin is not a terminal (`tanya chat < questions.txt`), each line is a
question, answered in turn, with the same commands: handy for scripts.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from bot.ask_cmd import print_answer, print_passages, streaming
from bot.cli_common import (
    console,
    err,
    load_settings,
    opened_index,
    question_settings,
    seed_if_empty,
    shown,
)
from retrieval.answer import Answer, Turn
from retrieval.errors import TanyaError
from retrieval.text import validate_question

if TYPE_CHECKING:
    from retrieval.answer import Answerer

HISTORY_FILE = "chat_history"

HELP = """\
Tulis pertanyaan tentang artikel; pertanyaan lanjutan memakai percakapan.
Ask about the articles; follow-up questions use the conversation.

  /sources   kutipan lengkap jawaban terakhir / the last answer's passages in full
  /reset     mulai percakapan baru / forget the conversation
  /help      bantuan ini / this help
  /quit      keluar / leave (or Ctrl-D)

Ctrl-C membatalkan jawaban yang sedang ditulis / cancels the answer being written."""


class Conversation:
    """What the REPL remembers: past turns (for follow-ups) and the last answer."""

    def __init__(self, max_turns: int) -> None:
        self.max_turns = max_turns
        self.turns: list[Turn] = []
        self.last: Answer | None = None

    def add(self, question: str, answer: Answer) -> None:
        self.last = answer
        self.turns.append(Turn(question, answer.answer))
        if self.max_turns:
            del self.turns[: -self.max_turns]
        else:
            self.turns.clear()

    def reset(self) -> None:
        self.turns.clear()
        self.last = None


def terminal_lines(history_path: Path) -> Iterator[str]:
    """Lines typed at a prompt_toolkit prompt; Ctrl-C clears the line, Ctrl-D ends."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    history_path.parent.mkdir(parents=True, exist_ok=True)
    session: PromptSession[str] = PromptSession(history=FileHistory(str(history_path)))
    while True:
        try:
            yield session.prompt("tanya> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            return


def piped_lines(out: Console) -> Iterator[str]:
    """Lines from a non-terminal stdin, each echoed so the output reads as a transcript."""
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.strip():
            out.print(f"[bold]tanya>[/] {shown(line)}", highlight=False)
        yield line


def chat_command() -> None:
    """A conversation about the articles: follow-up questions, /sources, /reset, /help.

    Ctrl-C cancels an answer, Ctrl-D quits. Reads questions from stdin, one a
    line, when it is not a terminal.
    """
    # Started in the background of a non-interactive shell, a process gets
    # SIGINT as ignored; Ctrl-C must still cancel an answer here.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    from retrieval.answer import Answerer  # the LLM stack is heavy: load it only here

    settings = question_settings(load_settings())
    interactive = sys.stdin.isatty()
    with opened_index(settings) as index:
        seed_if_empty(index)
        answerer = Answerer(index, settings)
        articles = index.counts().articles
        if interactive:
            console.print(
                f"[bold]tanya[/] · {articles} artikel / articles · {answerer.mode} · "
                "/help · Ctrl-D keluar / quits"
            )
        if answerer.config_error:
            err.print(f"[yellow]warning:[/] {shown(answerer.config_error)}")
        conversation = Conversation(settings.history_turns)
        lines = (
            terminal_lines(settings.data_dir / HISTORY_FILE)
            if interactive
            else piped_lines(console)
        )
        try:
            for line in lines:
                if not run_line(line, answerer, conversation, settings.max_question_chars):
                    break
        except KeyboardInterrupt:  # Ctrl-C while reading piped input: just stop
            raise typer.Exit(130) from None


def run_line(line: str, answerer: Answerer, conversation: Conversation, max_chars: int) -> bool:
    """Handle one line; False to leave."""
    command = line.strip()
    if not command:
        return True
    if command.startswith("/"):
        return run_command(command, conversation)
    try:
        question = validate_question(line, max_chars)
    except TanyaError as exc:
        console.print(f"[red]{shown(exc)}[/]")
        return True
    try:
        with streaming(console, enabled=answerer.model is not None) as sink:
            answer = answerer.ask(question, history=conversation.turns, on_token=sink)
    except KeyboardInterrupt:
        console.print("[yellow](dibatalkan / cancelled)[/]")
        return True
    print_answer(console, answer)
    console.print()
    conversation.add(question, answer)
    return True


def run_command(command: str, conversation: Conversation) -> bool:
    name = command.split()[0].lower()
    if name in ("/quit", "/exit", "/keluar"):
        return False
    if name in ("/help", "/bantuan", "/?"):
        console.print(HELP, highlight=False)
    elif name in ("/reset", "/baru"):
        conversation.reset()
        console.print("[dim]Percakapan baru. / New conversation.[/]")
    elif name in ("/sources", "/sumber"):
        if conversation.last is None:
            console.print("Belum ada jawaban. / No answer yet.")
        elif not conversation.last.passages:
            console.print(
                "Jawaban terakhir tidak memakai kutipan. / The last answer used no passage."
            )
        else:
            print_passages(console, conversation.last.passages)
    else:
        console.print(
            f"Perintah tidak dikenal / unknown command: {shown(name)} (/help)", highlight=False
        )
    return True
