"""Method names on the figures, whatever their length: short labels and a key.

A user's method is named by its whole ``--method`` string
(``mypkg.sparse.my_autoencoder:MyTopKSparseAutoencoder(k=8, n_steps=2000, ...)``, 120
characters or more), while the figures are laid out (fixed margins, legend columns, rotated
ticks) for the built-in names, none longer than 19 characters. So every figure of the
families and of their studies draws a method's name through `method_labels`, which keeps a
name of at most `MAX_LABEL` characters as it is and gives a longer one a short label
(``M1: MyTopKSparseAuto…``: a tag, then the object's own name cut to fit), and finishes with
`add_key`, which writes the key (``M1 = <the whole name>``, wrapped at its punctuation) in a
strip it adds below the figure. A legend laid out in one band across the figure goes through
`figure_legend`, which takes fewer columns when more methods than the built-in ones would
make it wider than the figure. A figure of built-in names is unchanged: no key, the columns
asked for. A user's generator (``--generator``, also an import string) is drawn the same way
through `generator_labels` (``G1: <stem>``), its labels joined to the methods'
(`MethodLabels.joined`) so that one key lists both.

Each figure module's ``draw`` yields ``(caption, file name, Figure)``, the figure complete,
key included, so that a test can measure it; its ``figures`` writes them with
`save_figures`. (This module sits in ``benchmarks``, beside the figure modules, because
``benchmarks`` may not import ``reports``.)
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

# Names up to this long are drawn as they are: the longest built-in method name is 19
# characters (dictionary_learning, supervised_logistic), and the figures' fixed margins and
# legend columns leave room for it. Longer names get a label of at most this length.
MAX_LABEL = 20
TAG = "M"  # M1, M2, ... in sorted order of the long names: one tag per name on every figure
GENERATOR_TAG = "G"  # G1, G2, ...: a user's generator (--generator) with a long name
KEY_FONTSIZE = 7  # points, as the figures' legends
KEY_PAD = 0.08  # inches of margin around the key
DPI = 110  # of every PNG in the report
# Where a long name may be broken across lines of the key: after these characters.
BREAK_AFTER = " ,(:/."
_TOKEN = re.compile(rf".*?(?:[{re.escape(BREAK_AFTER)}]+|$)", re.DOTALL)


@dataclass(frozen=True)
class MethodLabels:
    """Labels of method names on one figure.

    Attributes
    ----------
    labels : mapping of str to str
        ``name -> label``, escaped for matplotlib (a ``$`` does not start mathtext).
    key : tuple of str
        ``"M1 = <name>"`` per abbreviated name, unescaped; empty when every name is short.
    """

    labels: Mapping[str, str]
    key: tuple[str, ...]

    def __getitem__(self, name: str) -> str:
        return self.labels[name]

    def of(self, names: Iterable[str]) -> list[str]:
        """The labels of ``names``, in their order."""
        return [self.labels[n] for n in names]

    def joined(self, other: MethodLabels) -> MethodLabels:
        """The labels of both (a figure's methods and its generators), one key."""
        return MethodLabels({**self.labels, **other.labels}, self.key + other.key)


def method_labels(names: Iterable[str], max_len: int = MAX_LABEL) -> MethodLabels:
    """Short labels for method names: a name of at most ``max_len`` characters is its own
    label; the longer ones, in sorted order, become ``M1: <stem>``, ``M2: <stem>``, ... cut
    to ``max_len`` characters, where the stem is the object's name (what follows the last
    ``:`` or ``/`` before the arguments), and are listed in the key.

    Parameters
    ----------
    names : iterable of str
        The figure's method names (repeats are ignored).
    max_len : int, default=MAX_LABEL

    Returns
    -------
    MethodLabels
    """
    names = list(dict.fromkeys(names))
    return _labels(names, sorted(n for n in names if len(n) > max_len), TAG, max_len)


def generator_labels(names: Iterable[str], max_len: int = MAX_LABEL) -> MethodLabels:
    """Short labels for generator names, as `method_labels` for methods (``G1: <stem>``),
    only for a user's generator (``--generator``, an import string: it holds a ``:``): a
    built-in generator's name is its own label, whatever its length (the figures are laid
    out for them; the longest, ``planted_sparse_correlated``, is 25 characters)."""
    names = list(dict.fromkeys(names))
    long = sorted(n for n in names if ":" in n and len(n) > max_len)
    return _labels(names, long, GENERATOR_TAG, max_len)


def _labels(names: list[str], long: list[str], tag: str, max_len: int) -> MethodLabels:
    """``names`` labelled, those of ``long`` abbreviated with ``tag`` and listed in the key."""
    tags = {n: f"{tag}{i}" for i, n in enumerate(long, 1)}
    labels = {n: _escape(_abbreviate(n, tags[n], max_len) if n in tags else n) for n in names}
    return MethodLabels(labels, tuple(f"{tags[n]} = {n}" for n in long))


def _abbreviate(name: str, tag: str, max_len: int) -> str:
    head = name.split("(", 1)[0]
    stem = re.split(r"[:/]", head)[-1].strip() or name
    label = f"{tag}: {stem}"
    return label if len(label) <= max_len else label[:max_len - 1] + "\u2026"


def _escape(text: str) -> str:
    return text.replace("$", r"\$")


def wrap(text: str, fits: Callable[[str], bool], indent: str = "    ") -> list[str]:
    """``text`` in lines that each satisfy ``fits``, continuation lines indented.

    Lines break after a character of `BREAK_AFTER` where they can, inside a run of other
    characters only where that run alone does not fit.
    """
    lines, line, start = [], "", 0  # start: length of the line's indent
    for token in filter(None, _TOKEN.findall(text)):
        if line[start:].strip() and not fits((line + token).rstrip()):
            lines.append(line.rstrip())
            line, start = indent, len(indent)
        line += token
        while len(line) > start + 1 and not fits(line.rstrip()):
            cut = _longest_fit(line, start + 1, fits)
            if line[:cut].strip():
                lines.append(line[:cut])
            line, start = indent + line[cut:], len(indent)
    if line[start:].strip():
        lines.append(line.rstrip())
    return lines


def _longest_fit(line: str, shortest: int, fits: Callable[[str], bool]) -> int:
    """The longest prefix length of ``line``, at least ``shortest`` and short of the whole,
    that fits (by bisection: a longer prefix is never narrower)."""
    lo, hi = shortest, len(line) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fits(line[:mid]) else (lo, mid - 1)
    return lo


@contextmanager
def _at_report_resolution(fig: Figure):
    """The figure at the PNG's resolution, and a renderer of it: measurements then match the
    PNG (with font hinting, text widths are not quite proportional to the resolution)."""
    old = fig.dpi
    fig.set_dpi(DPI)
    try:
        yield fig.canvas.get_renderer()
    finally:
        fig.set_dpi(old)


def add_key(fig: Figure, labels: MethodLabels, fontsize: float = KEY_FONTSIZE) -> Figure:
    """Write ``labels.key`` below ``fig``, in a strip added for it; nothing when it is empty.

    The key is wrapped to the figure's width; the figure grows by the key's height, and
    everything drawn so far keeps its place (in inches from the top). Call it last, when the
    figure is laid out (after `figure_legend`).
    """
    if not labels.key:
        return fig
    prop = FontProperties(size=fontsize)
    room = (fig.get_figwidth() - 2 * KEY_PAD) * DPI
    with _at_report_resolution(fig) as renderer:

        def fits(line: str) -> bool:
            return renderer.get_text_width_height_descent(line, prop, ismath=False)[0] <= room

        text = _escape("\n".join(line for entry in labels.key for line in wrap(entry, fits)))
        probe = Text(0, 0, text, fontproperties=prop)
        probe.set_figure(fig)
        height = probe.get_window_extent(renderer).height / DPI
    _grow(fig, height + 2 * KEY_PAD, "bottom")
    fig.text(KEY_PAD, KEY_PAD, text, fontproperties=prop, ha="left", va="bottom",
             transform=fig.dpi_scale_trans)
    return fig


def figure_legend(fig: Figure, handles: list, labels: list[str], ncols: int,
                  **kwargs) -> Legend:
    """``fig.legend(handles, labels, ncols=ncols, **kwargs)`` (a band at the figure's top or
    bottom), in fewer columns where ``ncols`` would be wider than the figure; the rows this
    adds get room of their own.

    The figure grows at the legend's edge by the added height; the legend and the figure's
    texts beyond it (a suptitle above a top legend) keep their distance from that edge,
    everything else from the other one. A legend that fits is drawn as asked. Call it when
    the figure is laid out (after ``subplots_adjust``), before `add_key`.
    """
    legend = fig.legend(handles, labels, ncols=ncols, **kwargs)
    with _at_report_resolution(fig) as renderer:
        first = legend.get_window_extent(renderer)
        n = ncols
        while n > 1 and legend.get_window_extent(renderer).width > fig.bbox.width:
            legend.remove()  # matplotlib lays a legend's columns out once, when made
            n -= 1
            legend = fig.legend(handles, labels, ncols=n, **kwargs)
        added = (legend.get_window_extent(renderer).height - first.height) / DPI
        middle = (first.y0 + first.y1) / 2
        top = middle > fig.bbox.height / 2
        beyond = [t for t in fig.texts if t.get_transform() is fig.transSubfigure and
                  (_middle(t, renderer) > middle if top else _middle(t, renderer) < middle)]
    if added > 0:
        _grow(fig, added, "top" if top else "bottom", moving=[legend, *beyond])
    return legend


def _middle(artist, renderer) -> float:
    box = artist.get_window_extent(renderer)
    return (box.y0 + box.y1) / 2


def _grow(fig: Figure, inches: float, edge: str, moving=()) -> None:
    """Add ``inches`` to the height of ``fig`` at its ``edge`` ("top" or "bottom").

    The ``moving`` artists (the figure's legends and texts) keep their distance from that
    edge; the axes and every other figure legend and text (in figure coordinates) keep
    theirs from the opposite edge.
    """
    width, old = fig.get_size_inches()
    new = old + inches

    def lift(artist) -> float:  # inches its distance from the bottom grows by
        return inches if (artist in moving) == (edge == "top") else 0.0

    for ax in fig.axes:
        x0, y0, w, h = ax.get_position(original=True).bounds
        ax.set_position([x0, (y0 * old + lift(ax)) / new, w, h * old / new])
    for text in fig.texts:
        if text.get_transform() is fig.transSubfigure:
            x, y = text.get_position()
            text.set_position((x, (y * old + lift(text)) / new))
    for legend in fig.legends:
        anchor = Bbox(legend.get_bbox_to_anchor().get_points() / fig.dpi)  # inches
        legend.set_bbox_to_anchor(anchor.translated(0, lift(legend)),
                                  transform=fig.dpi_scale_trans)
    fig.set_size_inches(width, new)


def file_safe(name: str) -> str:
    """``name`` as part of a file name: a built-in name as it is; a user's generator or
    method (``pkg.mod:make(n=5)``, ``path/to/file.py:make``) with every other character
    than letters, digits and ``._=-`` as ``_``, and a short digest of the whole name so that
    two names that differ only there stay two files."""
    safe = re.sub(r"[^A-Za-z0-9._=-]+", "_", name)
    if safe == name:
        return name
    return f"{safe[:60]}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def estimate_bars(ax, x, estimates: list[dict], width: float, **kwargs):
    """``ax.bar`` of Estimate dicts (`metrics.statistics`) at ``x``: heights their values,
    error bars their intervals ``[low, high]``; ``kwargs`` go to ``ax.bar``."""
    val = np.array([e["value"] for e in estimates])
    err = np.array([[e["value"] - e["low"] for e in estimates],
                    [e["high"] - e["value"] for e in estimates]])
    return ax.bar(x, val, width, yerr=err, **kwargs)


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` and close it."""
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return Path(path)


def save_figures(drawn: Iterable[tuple[str, str, Figure]], out: Path
                 ) -> list[tuple[str, Path]]:
    """Write each ``(caption, file name, Figure)`` of ``drawn`` into ``out`` (as it comes, so
    one figure is open at a time): ``[(caption, path)]``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [(caption, save_figure(fig, out / name)) for caption, name, fig in drawn]


def draw_specs(specs, records: list[dict]):
    """``(caption, file name, Figure)`` of each ``(build, file name, caption)`` in
    ``specs`` whose ``build(records)`` draws a figure (None: the records do not support it)."""
    for build, name, caption in specs:
        fig = build(records)
        if fig is not None:
            yield caption, name, fig
