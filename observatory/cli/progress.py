"""Rich progress bars fed by the ``progress(done, total, label)`` callbacks of long jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

ProgressCallback = Callable[[int, int, str], None]


@contextmanager
def progress_bar(console: Console, description: str) -> Iterator[ProgressCallback]:
    """A bar titled ``description``; the yielded callback moves it and relabels it.

    Not drawn when the output is not a terminal (a log, CI), where it would only add noise.
    """
    if not console.is_terminal:
        yield lambda done, total, label: None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int, label: str) -> None:
            bar.update(
                task,
                completed=done,
                total=total or None,
                description=f"{description}: {label}" if label else description,
            )

        yield update
