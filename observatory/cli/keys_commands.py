"""``observatory keys create``: an API key for a role, shown once and stored only as a hash."""

from __future__ import annotations

from typing import Annotated

import typer

from observatory.cli.context import CliContext
from observatory.keys import Role

keys_app = typer.Typer(
    help=(
        "API keys for the web API. Roles, each allowed what the ones before it are: public "
        "(published aggregates), planner, officer (ingest, review field reports), admin.\n\n"
        "Example: observatory keys create --role officer --label \"data office, Amal\""
    ),
    no_args_is_help=True,
)


@keys_app.command("create")
def create(
    ctx: typer.Context,
    role: Annotated[
        Role,
        typer.Option("--role", help="What the key may do, e.g. --role planner",
                     show_default=False),
    ],
    label: Annotated[
        str,
        typer.Option("--label", help="Who or what the key is for, shown in logs, e.g. "
                     "--label \"planning department\"", show_default=False),
    ],
) -> None:
    """Create an API key with a role and print it once: only its SHA-256 hash is stored.

    Send it as the X-API-Key header.

    Example: observatory keys create --role planner --label "planning department"
    """
    from observatory.cli.remote_store import ask, serving
    from observatory.services.store_admin import new_api_key

    cli: CliContext = ctx.obj
    server = serving(cli)  # a server owning the DuckDB file stores it
    if server is not None:
        key = str(ask(server, "POST", "/keys", {"role": role, "label": label})["key"])
    else:
        with cli.store() as store:
            key = new_api_key(store, role, label)
    cli.out.print(f"API key for {role} ({label}):", markup=False)
    cli.out.print(key, markup=False)
    cli.out.print("Copy it now: it is stored only as a hash, never in clear, and cannot be "
                  "shown again.")
