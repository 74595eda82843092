"""Charts with Chinese labels that render on a fresh machine, in notebooks and in the report.

matplotlib's default fonts have no Chinese glyphs, so labels come out as boxes. The font ships
with the `mplfonts` package (Noto Sans CJK SC), registered here by file path, so nothing depends
on what the machine has installed. For the HTML report charts are SVG with glyphs drawn as paths,
so the report needs no font either.
"""
from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

PALETTE = ["#c0392b", "#e67e22", "#2e86c1", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d", "#d35400", "#2c3e50", "#f1c40f"]
URGENCY_COLORS = {"紧急": "#c0392b", "较急": "#e67e22", "一般": "#7f8c8d"}


@lru_cache(maxsize=1)
def use_chinese_font() -> str:
    """Register the shipped CJK font with matplotlib and make it the default; returns its name."""
    import mplfonts

    font_file = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(font_file))
    name = font_manager.FontProperties(fname=str(font_file)).get_name()
    matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "path"
    matplotlib.rcParams["svg.hashsalt"] = "petition"  # stable ids: same data, same SVG
    return name


def bar_chart(counts: pd.Series, title: str, xlabel: str = "信件数", colors=None, horizontal: bool = True):
    """Counts by category, largest on top."""
    use_chinese_font()
    counts = counts.sort_values(ascending=True) if horizontal else counts
    height = max(2.2, 0.36 * len(counts) + 1.0)
    fig, ax = plt.subplots(figsize=(7.5, height) if horizontal else (8, 3.6))
    color = [colors.get(k, PALETTE[2]) for k in counts.index] if isinstance(colors, dict) else PALETTE[2]
    if horizontal:
        bars = ax.barh([str(k) for k in counts.index], counts.values, color=color)
        ax.set_xlabel(xlabel)
        for bar, value in zip(bars, counts.values):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {value:,.0f}", va="center", fontsize=9)
    else:
        ax.bar([str(k) for k in counts.index], counts.values, color=color)
        ax.set_ylabel(xlabel)
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def monthly_chart(monthly: pd.DataFrame, title: str, ylabel: str = "信件数"):
    """Lines of letters per month: one column per series, a monthly PeriodIndex or DatetimeIndex."""
    use_chinese_font()
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    for index, column in enumerate(monthly.columns):
        ax.plot(monthly.index.astype(str), monthly[column].values, marker="o", markersize=3,
                color=PALETTE[index % len(PALETTE)], label=str(column)[:28])
    ticks = list(range(0, len(monthly.index), max(1, len(monthly.index) // 12)))
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(monthly.index[i]) for i in ticks], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left", fontsize=12)
    if len(monthly.columns) > 1:
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def histogram(values: pd.Series, title: str, xlabel: str, bins: int = 30, marker: float | None = None, marker_label: str = ""):
    use_chinese_font()
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    ax.hist(values.dropna().values, bins=bins, color=PALETTE[2])
    if marker is not None:
        ax.axvline(marker, color=PALETTE[0], linestyle="--")
        ax.text(marker, ax.get_ylim()[1] * 0.9, f" {marker_label}", color=PALETTE[0], fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("信件数")
    ax.set_title(title, loc="left", fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def to_svg(fig) -> str:
    """The figure as an inline SVG element (glyphs as paths: no font needed to view it)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg[svg.index("<svg"):], flags=re.S)
    return svg
