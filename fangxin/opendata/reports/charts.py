"""Report charts as PNG with matplotlib, in the Noto Sans CJK SC font so Chinese renders. `Figure` is used
directly (not pyplot), so no GUI backend or global state is involved and threads can draw at the same time."""

import io
from pathlib import Path

from matplotlib import font_manager
from matplotlib.figure import Figure

FONT_FAMILY = "Noto Sans CJK SC"
COLOURS = ["#c0392b", "#2c6fbb", "#2e8b57", "#d68910"]


def font_available() -> bool:
    if _font_listed():
        return True
    # matplotlib caches the system's font list (~/.cache/matplotlib) the first time it runs; a list made before
    # fonts-noto-cjk was installed misses the font for good. Add the system's CJK fonts to the loaded list instead.
    for path in font_manager.findSystemFonts():
        if "CJK" in Path(path).name:
            font_manager.fontManager.addfont(path)
    return _font_listed()


def _font_listed() -> bool:
    return any(font.name == FONT_FAMILY for font in font_manager.fontManager.ttflist)


def render(spec: dict) -> bytes:
    """One chart spec ({"kind": "bar"|"line", "title", "labels", "series": [(name, values)], "unit"}) as PNG.
    A value of None (a rate with no denominator) is a gap in a line and nothing in a bar."""
    if not font_available():
        raise FileNotFoundError("缺少中文字体 Noto Sans CJK SC：请安装 Debian 软件包 fonts-noto-cjk")
    percent = spec.get("unit") == "%"
    figure = Figure(figsize=(7.2, 3.4), dpi=150)
    axes = figure.subplots()
    labels = spec["labels"]
    positions = list(range(len(labels)))
    width = 0.8 / max(len(spec["series"]), 1)
    for index, (name, values) in enumerate(spec["series"]):
        shown = [None if v is None else (v * 100 if percent else v) for v in values]
        colour = COLOURS[index % len(COLOURS)]
        if spec["kind"] == "line":
            axes.plot(positions, [float("nan") if v is None else v for v in shown], marker="o", color=colour,
                      label=name)
        else:
            offset = (index - (len(spec["series"]) - 1) / 2) * width
            axes.bar([p + offset for p in positions], [v or 0 for v in shown], width=width, color=colour, label=name)
    axes.set_xticks(positions, labels, rotation=30 if len(labels) > 8 else 0, ha="right" if len(labels) > 8 else "center")
    axes.set_title(spec["title"], fontfamily=FONT_FAMILY, fontsize=12)
    if percent:
        axes.set_ylabel("百分比（%）", fontfamily=FONT_FAMILY)
    elif spec.get("unit"):  # a one-character unit reads upright above the axis, not turned on its side
        axes.set_title(f"单位：{spec['unit']}", loc="left", fontfamily=FONT_FAMILY, fontsize=9)
    for label in axes.get_xticklabels():
        label.set_fontfamily(FONT_FAMILY)
    if percent:
        axes.set_ylim(0, 100)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    if len(spec["series"]) > 1:
        axes.legend(prop={"family": FONT_FAMILY})
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
