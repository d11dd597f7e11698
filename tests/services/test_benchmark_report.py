"""The city benchmark report: the English HTML says where the city stands in the ICC reports'
way, and the Arabic PDF (WeasyPrint) holds shaped, right-to-left text — checked by extracting
its text (pdftotext) and by rendering its first page (pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from peer_cities import seed_peer_cities
from PIL import Image

from observatory.services.benchmark_report import report_html, report_pdf
from observatory.services.comparison import ComparisonInput, ComparisonRequest, load_input
from observatory.services.peer_groups import parse_peer_group
from observatory.store import open_store

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def peers(tmp_path_factory) -> ComparisonInput:
    folder = tmp_path_factory.mktemp("report")
    store = open_store(f"duckdb:///{(folder / 'peers.duckdb').as_posix()}")
    seed_peer_cities(store)
    data = load_input(store, external={"delta"})
    store.close()
    return data


def test_the_english_report_ranks_the_city_in_each_icc_group(peers):
    html = report_html(peers, "alpha", ComparisonRequest(), "en")

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "City benchmark report: Alphaville" in text
    # CPI 2024: gamma 80, beta 70, alpha 60 among all; beta 70, alpha 60 over 200,000
    assert "City Prosperity Index 3 of 3 among All cities" in text
    assert "City Prosperity Index 2 of 2 among Cities over 200,000 inhabitants" in text
    unemployment = html[html.index('data-indicator="cpi_unemployment_rate"'):]
    assert '<tr class="flagged" data-city="gamma" data-rank="">' in unemployment  # its hash
    assert text.count('data-series="city"') == 0 and 'data-series="city"' in html
    assert 'class="bars"' in html and "◇" in html  # delta, the external peer


def test_the_arabic_pdf_is_shaped_right_to_left_text(peers, tmp_path):
    for tool in ("pdftotext", "pdftoppm"):
        assert shutil.which(tool), f"{tool} is missing: run scripts/ensure-pdf-tools.sh"
    html = report_html(peers, "alpha", ComparisonRequest(peer_group=parse_peer_group(
        "over-200k")), "ar")
    pdf = tmp_path / "report-ar.pdf"
    pdf.write_bytes(report_pdf(html))

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    text = BIDI_CONTROLS.sub("", text)
    # the words come out in logical order (so they were laid out right to left as words)
    assert "تقرير المقارنة المرجعية للمدينة" in text
    assert "المدن التي يزيد سكانها على" in text
    assert "ألفا" in text and "بيتا" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    width, height = page.size
    ink = page.point(lambda v: 255 if v < 128 else 0)
    assert ink.getbbox() is not None, "the first page is blank"
    # the title, the page's first line of ink, is set against the right margin
    title = ink.crop((0, 0, width, height // 10)).getbbox()
    assert title is not None and title[2] > 0.85 * width and title[0] > 0.2 * width
    shutil.copy(pdf, Path("/tmp") / "observatory-benchmark-report-ar.pdf")
