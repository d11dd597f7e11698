"""What every command receives: the settings, built once at start-up, and the console."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import typer
from rich.console import Console
from rich.text import Text

from observatory.settings import (
    ApiSettings,
    BoundarySettings,
    DisclosureSettings,
    PrivacySettings,
    StoreSettings,
)
from observatory.store import Store, StoreError, UnavailableError, open_store


@dataclass
class CliContext:
    store_settings: StoreSettings
    api_settings: ApiSettings
    disclosure: DisclosureSettings
    privacy: PrivacySettings
    boundary: BoundarySettings = field(default_factory=BoundarySettings)
    # Soft-wrapped: paths and URLs stay on one line, so they can be copied.
    out: Console = field(default_factory=lambda: Console(soft_wrap=True))

    @property
    def database_url(self) -> str:
        return self.store_settings.database_url

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The configured store, closed afterwards; store problems end the command cleanly."""
        try:
            store = open_store(self.database_url)
        except StoreError as exc:
            raise fail(f"Cannot open the store {redact(self.database_url)}: {exc}", 1) from exc
        try:
            yield store
        except UnavailableError as exc:
            raise fail(str(exc) + self._server_hint(), 1) from exc
        except StoreError as exc:
            raise fail(str(exc), 1) from exc
        finally:
            store.close()

    def _server_hint(self) -> str:
        from observatory.cli.server_link import serving_pid

        pid = serving_pid(self.database_url)
        return ("" if pid is None else
                f" `observatory serve` (pid {pid}) holds the file: run this while it is idle, "
                "or stop it (`observatory ingest`, `compute`, `init`, `runs`, `keys create`, "
                "`audit`, `levels`, `segregation`, `export`, `bundle`, `compare`, `icc`, "
                "`spec infer` and `ingest --dry-run` run through it).")


def fail(message: str, code: int) -> typer.Exit:
    """Print ``message`` in red on stderr (no traceback) and return the exit to raise."""
    Console(stderr=True, soft_wrap=True).print(Text(message, style="bold red"))
    return typer.Exit(code)


def redact(url: str) -> str:
    """The URL with any password replaced, so that it can be printed."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
