"""One name per feed: the registry, the CLI's `ingest` sub-commands, the spec models and the
feed list of docs/ingest.md agree; the registry stays light enough for `observatory --help`."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

import typer

import ingest.feeds
from ingest import spec
from ingest.feeds import FAMILIES, names
from observatory.cli import app

REPO = Path(__file__).resolve().parents[2]


def _docs_feeds() -> list[str]:
    text = (REPO / "docs" / "ingest.md").read_text(encoding="utf-8")
    table = text.split("| feed | what it loads |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE)


def test_registry_cli_and_docs_name_the_same_feeds():
    ingest_group = typer.main.get_command(app).commands["ingest"]
    assert list(ingest_group.commands) == names()
    assert _docs_feeds() == names()
    assert names()[0] == "boundaries" and len(set(names())) == len(names())


def test_every_module_of_the_package_is_registered():
    modules = {info.name for info in pkgutil.iter_modules(ingest.feeds.__path__)} - {"family"}
    assert modules == set(names())


def test_each_spec_model_takes_its_family_name_as_feed():
    for family in FAMILIES:
        if family.spec_model is None:
            assert family.takes_spec == "none" and family.cli_options
            continue
        model = getattr(spec, family.spec_model)
        assert get_args(model.model_fields["feed"].annotation) == (family.name,)


def test_the_registry_imports_no_reader_or_spec_model():
    # `observatory --help` imports the registry: it must not pull in pandas, DuckDB or pydantic
    # models, which the families import when they run.
    code = ("import sys, ingest.feeds; print(sorted(m for m in ('pandas', 'geopandas', 'duckdb', "
            "'yaml', 'ingest.spec', 'ingest.runner', 'ingest.readers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
