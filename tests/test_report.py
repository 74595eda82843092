"""The report opens in a real browser, offline, without errors, and its charts draw."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def test_report_is_one_self_contained_file(sample_run):
    html = (sample_run.out_dir / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for forbidden in ("<script src", "http://", "https://", "<link "):
        assert forbidden not in html
    for heading in ("今日紧急", "来信概况", "热点与深层次问题", "领导包案建议", "重复信访人", "答复时效", "需人工复核"):
        assert heading in html, heading
    assert html.count("<svg") >= 4


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (apt-get install chromium; .ci/run does it)")
def test_report_renders_in_headless_chromium_without_console_errors(sample_run, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install '.[test]')")
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: errors.append(f"network request: {request.url}")
                if not request.url.startswith(("file:", "data:")) else None)
        page.goto((sample_run.out_dir / "report.html").resolve().as_uri())
        charts = page.locator("div.chart svg")
        assert charts.count() >= 4
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100
            assert charts.nth(index).locator("path").count() > 10  # bars, lines and glyphs were drawn
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert (tmp_path / "report.png").stat().st_size > 20_000
