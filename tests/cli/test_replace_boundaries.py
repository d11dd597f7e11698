"""``observatory ingest boundaries --replace-boundaries``: the flag comes from the feed family's
options; without it a file removing most districts ends with exit code 2 and the message."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "ingest" / "malformed"


def test_the_flag_lets_a_refused_boundary_file_through(invoke):
    setup = invoke("ingest", "boundaries", str(CORPUS / "setup" / "districts.geojson"),
                   "--city", "corpus")
    assert setup.exit_code == 0, setup.output
    one = str(CORPUS / "boundaries_one_feature.geojson")
    refused = invoke("ingest", "boundaries", one, "--city", "corpus")
    assert refused.exit_code == 2
    assert "would remove 2 of the 3 current districts" in refused.output
    assert "pass --replace-boundaries" in refused.output
    loaded = invoke("ingest", "boundaries", one, "--city", "corpus", "--replace-boundaries")
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 1" in loaded.output


def test_the_flag_is_in_the_help(invoke):
    result = invoke("ingest", "boundaries", "--help")
    assert "--replace-boundaries" in result.output
