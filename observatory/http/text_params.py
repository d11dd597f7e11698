"""A request whose path or query parameter (or form field: ``refuse_nul_in``) holds a NUL
byte is answered 422, naming it, before a store sees it. No name, code, period or id the
observatory keeps holds one (ingest refuses them), and PostgreSQL cannot even be asked about
one (psycopg refuses the query: a server error on PostGIS where DuckDB answered 404)."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant

from observatory.services.errors import InvalidRequest

NUL = "\x00"


async def refuse_nul_bytes(request: Request) -> None:
    # The usual request has none: its raw query and path are looked at, nothing more.
    if b"%00" not in request.scope.get("query_string", b"") and NUL not in request.url.path:
        return
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    paths, queries = _declared(dependant)
    found = [("path", name) for name in paths if NUL in str(request.path_params.get(name, ""))]
    found += [("query", name) for name in queries
              if any(NUL in value for value in request.query_params.getlist(name))]
    if found:
        where, name = found[0]
        raise InvalidRequest(
            f"the {where} parameter {name!r} holds a NUL byte (%00), which no name, code, "
            "period or id in the observatory holds: remove it from the request")


def refuse_nul_in(fields: dict[str, str]) -> None:
    """Form fields that are stored as text: PostgreSQL cannot store a NUL byte (DuckDB
    would have kept it), so a report is refused alike on both stores."""
    for name, value in fields.items():
        if NUL in value:
            raise InvalidRequest(
                f"the form field {name!r} holds a NUL byte (0x00), which no text the "
                "observatory keeps may hold: remove it and send the form again")


def _declared(dependant: Dependant) -> tuple[list[str], list[str]]:
    """The path and query parameters the route and its dependencies read (undeclared ones
    are ignored by the route, so they are not refused either)."""
    paths, queries = [p.alias for p in dependant.path_params], [p.alias for p in
                                                                dependant.query_params]
    for sub in dependant.dependencies:
        more_paths, more_queries = _declared(sub)
        paths += more_paths
        queries += more_queries
    return paths, queries
