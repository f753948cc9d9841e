"""Terminal output shared by every command: progress bars, tables and messages on stderr."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# Messages and progress go to stderr so that stdout stays parseable.
# Written to a log or a pipe (the nightly run), tables are not cut to 80 columns and a message
# stays on one line, so file names stay whole and a grep finds them.
LOG_WIDTH = 200
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)
if not out.is_terminal:
    out = Console(highlight=False, width=LOG_WIDTH)


def progress() -> Progress:
    """A progress bar for long work; silent when stderr is not a terminal."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    )


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    out.print(table)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/yellow] {message}", soft_wrap=not err.is_terminal)


def info(message: str) -> None:
    err.print(message, soft_wrap=not err.is_terminal)


def error(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", soft_wrap=not err.is_terminal)
