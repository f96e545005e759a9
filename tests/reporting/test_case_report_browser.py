"""The case report in a real browser (selain): headless Chromium draws the page, not blank.

Chromium comes from Debian's ``chromium`` package (``.ci/run`` installs it). Without it the
test is skipped, except in CI (``CI`` set), where a missing browser fails the run: a skipped
browser test in CI looks green and proves nothing (as the PostgreSQL tests do, see
tests/conftest.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from conftest import in_ci
from perhetyo import FamilyCases
from perhetyo.reporting import render_case_report
from perhetyo.testing import DEMO_READER, StoryClock, record_demo_story

WIDTH, HEIGHT = 1200, 2000
CHART_BLUE = (0, 114, 178)
"""The first goal's line colour (Okabe and Ito's blue): seen only if the SVG was drawn."""


def chromium() -> str:
    """The browser's path; a failure in CI, a skip elsewhere, when it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if in_ci():
            pytest.fail("CI is set but chromium is not installed: .ci/run installs it",
                        pytrace=False)
        pytest.skip("install chromium (apt-get install chromium) to run the browser test")
    return found


def screenshot(page: Path, out: Path, profile: Path) -> Image.Image:
    """The page drawn by headless Chromium at WIDTH x HEIGHT, as an RGB image."""
    subprocess.run(
        [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-dev-shm-usage",  # small /dev/shm in containers
            f"--user-data-dir={profile}", f"--screenshot={out}",
            f"--window-size={WIDTH},{HEIGHT}", page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with Image.open(out) as image:
        return image.convert("RGB")


def drawn(image: Image.Image) -> bool:
    """Whether a screenshot shows a drawn report: not blank, and the chart's blue seen."""
    colours = image.getcolors(maxcolors=WIDTH * HEIGHT) or []
    white = sum(count for count, rgb in colours if rgb == (255, 255, 255))
    blue = sum(count for count, rgb in colours if rgb == CHART_BLUE)
    return (
        image.size == (WIDTH, HEIGHT)
        and white < 0.97 * WIDTH * HEIGHT  # text, tables and charts cover the page
        and len(colours) > 50  # anti-aliased text and coloured lines, not one flat fill
        and blue > 100  # the goal chart's first line and the timeline's bars were drawn
    )


@pytest.mark.slow
def test_chromium_draws_the_demo_report_and_its_chart(tmp_path: Path) -> None:
    clock = StoryClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = record_demo_story(cases, clock)
        report = cases.case_report(case_id, actor=DEMO_READER)
    page = tmp_path / "report.html"
    page.write_text(render_case_report(report), encoding="utf-8")

    image = screenshot(page, tmp_path / "report.png", tmp_path / "profile")

    assert drawn(image)


@pytest.mark.slow
def test_a_blank_page_is_told_apart(tmp_path: Path) -> None:
    """The check above would catch a page the browser could not draw."""
    page = tmp_path / "blank.html"
    page.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")

    image = screenshot(page, tmp_path / "blank.png", tmp_path / "profile")

    assert image.size == (WIDTH, HEIGHT)
    assert not drawn(image)
