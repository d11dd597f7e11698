"""``observatory icc score`` (a city's ICC questionnaire → stored scores) and
``observatory icc benchmark`` (the city against peer groups)."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from observatory.cli.context import CliContext, fail

# Found without importing indicators.icc (pandas), so that --help stays fast.


def _package_dir(name: str) -> Path:
    spec = find_spec(name)
    if spec is None or spec.origin is None:  # pragma: no cover - a broken install
        raise RuntimeError(f"{name} is not installed: pip install the observatory again")
    return Path(spec.origin).parent


ICC_DIR = _package_dir("indicators.icc")
EXAMPLE_QUESTIONNAIRE = ICC_DIR / "questionnaire.example.yaml"
AREAS = ICC_DIR / "areas.yaml"

icc_app = typer.Typer(
    help=(
        "Council of Europe Intercultural Cities (ICC) index: score a city's questionnaire and "
        "compare it with peer cities.\n\n"
        "Example: observatory icc score answers.yaml --city demo --year 2025"
    ),
    no_args_is_help=True,
)

CityOption = Annotated[
    str, typer.Option("--city", help="Slug of the city, e.g. --city demo", show_default=False)
]


@icc_app.command("score")
def score(
    ctx: typer.Context,
    answers: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, show_default=False,
                       help="The city's answers: YAML (answers: {question id: option}) or CSV "
                       "with columns question,answer, e.g. answers_2025.yaml"),
    ],
    city: CityOption,
    year: Annotated[
        int,
        typer.Option("--year", min=1900, max=2100, show_default=False,
                     help="Year the answers describe, the period of the scores, e.g. --year 2025"),
    ],
    questionnaire: Annotated[
        Path,
        typer.Option("--questionnaire", exists=True, dir_okay=False,
                     help="Questionnaire (YAML: questions, their area and points per option), "
                     "e.g. --questionnaire icc_questionnaire.yaml. Default: the shipped example.",
                     show_default=False),
    ] = EXAMPLE_QUESTIONNAIRE,
    areas: Annotated[
        Path,
        typer.Option("--areas", exists=True, dir_okay=False,
                     help="Areas with weights and the intercultural-lens flag, e.g. --areas "
                     "areas.yaml. Default: the 17 areas of the ICC index.", show_default=False),
    ] = AREAS,
) -> None:
    """Score the questionnaire and store the area scores, the index (icc) and the
    intercultural lens (icc.intercultural_lens) as city-level indicator values of the year.

    Scores are 0–100 (points over the maximum); coverage is the share of questions answered.
    Re-scoring a year replaces its values.

    Example: observatory icc score answers.yaml --city demo --year 2025 --questionnaire icc.yaml
    """
    from observatory.cli.remote_store import answered
    from observatory.services.city_reports import ICC_SCORED, IccOrder, icc_scored
    from observatory.services.ingest_jobs import settings_values

    cli: CliContext = ctx.obj
    order = IccOrder(city=city, year=year, answers=answers.resolve(),
                     questionnaire=questionnaire.resolve(), areas=areas.resolve(),
                     disclosure=settings_values(cli.disclosure))
    done = answered(cli, "/icc/score", order, ICC_SCORED, lambda store: icc_scored(store, order))
    if done.scores is None:
        raise fail(f"Unknown city {city!r}. Fix: ingest its boundaries first: "
                   f"observatory ingest boundaries FILE --city {city}", 1)

    table = Table(title=f"ICC scores of {city}, {year}")
    table.add_column("id", justify="left")
    table.add_column("score", justify="right")
    table.add_column("coverage", justify="right")
    for row in done.scores:
        table.add_row(row.id, f"{row.score:.1f}", f"{row.coverage:.0%}")
    cli.out.print(table)
    cli.out.print(f"{done.written} value(s) stored for {city}, period {year}"
                  + (f"; {done.unscored} area(s) have no questions and no score"
                     if done.unscored else ""), markup=False)


@icc_app.command("benchmark")
def benchmark(
    ctx: typer.Context,
    city: CityOption,
    peers: Annotated[
        Path,
        typer.Option("--peers", exists=True, dir_okay=False, show_default=False,
                     help="Peer cities, CSV with columns city,population,foreign_born_share,icc "
                     "and any icc.<area> columns, e.g. --peers icc_peers.csv"),
    ],
) -> None:
    """Rank the city's ICC scores in each peer group (all cities, over 200,000 inhabitants,
    over 15 % foreign-born): rank, sample size, sample average and best result.

    The city's own row comes from the peers file or, when it is not there, from its latest
    stored scores (observatory icc score) and the store's population.

    Example: observatory icc benchmark --city demo --peers icc_peers.csv
    """
    import pandas as pd

    from indicators.icc import benchmark as rank

    cli: CliContext = ctx.obj
    table = pd.read_csv(peers, encoding="utf-8-sig")
    missing = {"city", "population", "foreign_born_share", "icc"} - set(table.columns)
    if missing:
        raise fail(f"{peers}: no column(s) {', '.join(sorted(missing))}. Fix: give the peers "
                   "file the columns city,population,foreign_born_share,icc (and icc.<area>).", 2)
    if city not in set(table["city"]):
        # Only the scores the peers have: a score no peer has ranks nothing.
        own = pd.DataFrame([_stored_row(cli, city)]).reindex(columns=table.columns)
        table = pd.concat([table, own], ignore_index=True)
    result = rank(city, table)
    if result.empty:
        raise fail(f"{city} has no score that the peers also have. Fix: score the same areas "
                   "(observatory icc score).", 1)
    out = Table(title=f"ICC benchmark of {city} ({len(table)} cities)")
    for heading in ("peer group", "score id", "score", "rank", "average", "best"):
        out.add_column(heading, justify="left" if heading in ("peer group", "score id")
                       else "right")
    for row in result.itertuples():
        out.add_row(row.group, row.score_id, f"{row.score:.1f}",
                    f"{row.rank} of {row.sample_size}", f"{row.sample_average:.1f}",
                    f"{row.best:.1f}")
    cli.out.print(out)


def _stored_row(cli: CliContext, city: str) -> dict:
    """The city's latest stored ICC scores as a row of the peers table."""
    from observatory.cli.remote_store import answered
    from observatory.services.city_reports import STORED_ICC, CityOrder, stored_icc

    found = answered(cli, "/icc/stored", CityOrder(city=city), STORED_ICC,
                     lambda store: stored_icc(store, city))
    if found is None:
        raise fail(f"{city} is neither in the peers file nor scored in the store. Fix: add it "
                   f"to the file, or run observatory icc score ANSWERS --city {city} --year "
                   "YYYY first.", 1)
    # Foreign-born share is not in the store: left empty, the city joins only the groups
    # that do not depend on it.
    return {"city": city, "population": found.population, "foreign_born_share": None,
            **found.scores}
