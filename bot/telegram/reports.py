"""An add's report (`AddReport`) → Telegram message blocks."""

from __future__ import annotations

from retrieval.ingest import AddReport
from retrieval.text import Language

from . import render
from .i18n import t

_MAX_REPORT_ITEMS = 20


def report_blocks(report: AddReport, lang: Language) -> list[render.Block]:
    marks = {"added": "✅", "updated": "♻️", "unchanged": "▫️", "failed": "❌"}
    blocks = [render.plain(t(lang, "add_summary", **report.summary()))]
    for item in report.items[:_MAX_REPORT_ITEMS]:
        label = f"{marks[item.status]} {t(lang, f'status_{item.status}')}: "
        what = item.title or item.origin
        blocks.append(render.plain("\n"))
        line = [render.plain(label), render.wrapped("b", what[:200])]
        if item.status == "failed":
            line.append(render.plain(f" — {(item.reason or '')[:500]}"))
        blocks.append(render.join(*line))
    hidden = len(report.items) - _MAX_REPORT_ITEMS
    if hidden > 0:
        blocks.append(render.plain("\n" + t(lang, "more_items", n=hidden)))
    return blocks
