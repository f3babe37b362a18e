"""Text for a terminal: columns aligned by display width (a Chinese character takes two cells, wcwidth), and the
CLI's error line in Chinese."""

from __future__ import annotations

import click
from wcwidth import wcswidth


def width(text: str) -> int:
    """Cells ``text`` takes in a terminal; a control character counts as one, not as -1."""
    w = wcswidth(text)
    return w if w >= 0 else sum(max(wcswidth(c), 1) for c in text)


def pad(text: str, cells: int) -> str:
    """``text`` left-aligned in ``cells`` terminal cells (longer text is kept whole)."""
    return text + " " * max(0, cells - width(text))


def table(rows: list[list[str]], gap: int = 2) -> list[str]:
    """Lines of rows with every column but the last padded to its widest cell."""
    if not rows:
        return []
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return [(" " * gap).join([pad(c, w) for c, w in zip(r, widths)] + [r[-1]]).rstrip() for r in rows]


class CliError(click.ClickException):
    """A failure the user can act on: one line, "错误：…", exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)
