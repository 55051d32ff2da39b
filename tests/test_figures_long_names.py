"""Figures with a user's method named by its whole ``--method`` string (issue 21, item 5).

Every figure of every family, and every study figure that draws method names, is drawn from
records holding two user methods of more than 120 characters beside the built-in ones; each
legend entry, tick label, title and key must lie on the canvas, and every method must be
named: a built-in one as it is, a long one by a short label whose tag the key maps to the
whole name.
"""

from __future__ import annotations

import copy
import importlib
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from benchmarks.figure_labels import (  # noqa: E402
    DPI,
    MAX_LABEL,
    add_key,
    method_labels,
    wrap,
)
from benchmarks.references import load_references  # noqa: E402
from benchmarks.registry import FAMILIES  # noqa: E402

LONG = ("mypkg.{family}.my_method:MyVeryCarefullyTunedMethodForThisFamily(k=8, "
        "n_steps=2000, lr=0.0003, dead_after=500, l1=0.0, init='orthogonal', verbose=False)")
# Two user methods differing only inside their arguments (their labels share the stem), and
# a name of 1000 characters with nowhere to break it but inside its words.
USER = (LONG, LONG.replace("k=8", "k=16"), "mypkg.{family}.x:" + "Long" * 246)
# Which built-in method's records each user method copies, per family (any would do).
COPIED = {"sparse": ("dictionary_learning", "topk_sae", "pca"),
          "erasure": ("leace", "rlace", "inlp"),
          "truth": ("ccs", "mean_difference", "contrast_pca"),
          "weights": ("svd_gap", "svd_variance", "svd_mp_edge"),
          "curves": ("eyeball", "aic", "heldout_loglik")}
# A text's window extent is rounded to whole pixels; half a pixel either side is rounding.
PIXEL = 0.5


def _user_names(family: str) -> tuple[str, ...]:
    names = tuple(u.format(family=family) for u in USER)
    assert all(len(n) >= 120 for n in names)
    return names


def _records(family: str) -> list[dict]:
    """The committed quick records of ``family``, plus a copy of two built-in methods'
    records under the long names, marked as a user's."""
    rows = [r for r in load_references()["records"] if r["family"] == family]
    out = list(rows)
    for name, source in zip(_user_names(family), COPIED[family], strict=True):
        for r in rows:
            if r["method"] == source:
                out.append({**copy.deepcopy(r), "method": name, "builtin": False})
    return out


# --- hand-built study documents: only the fields their figures read ------------------------


def _est(value: float, half: float = 0.05) -> dict:
    return {"value": value, "low": value - half, "high": value + half, "n": 3}


def _ladder_doc(methods: list[str]) -> dict:
    gens = (("planted_sparse", 64), ("gaussian_mixture", 12), ("isotropic_gaussian", 0),
            ("uniform_cube", 0))
    return {"study": "feature_count", "seeds": [0, 1], "estimates": [
        {"method": m, "generator": g, "n_true": n,
         "count": {"value": n + 3.0 * j, "low": n + 3.0 * j - 2, "high": n + 3.0 * j + 2},
         "per_size": [{"size": s, "false_positive_rate": _est(0.1 * j, 0),
                       "per_atom_minus_band": [3.0 * j - s / 16, j - 2.0],
                       "distinct_minus_band": [2.0 * j - s / 16, j - 3.0]}
                      for s in (16, 32, 64, 128)]}
        for j, m in enumerate(methods) for g, n in gens]}


def _matched_l0_doc(names: list[str]) -> dict:
    targets = [1.75, 3.5, 7.0]
    metrics = ("fvu", "mcc", "f1", "absorption", "full_absorption")
    summary = [{"architecture": a, "target_multiple": mult, "l0": _est(t * (1 + 0.02 * i)),
                **{metric: _est(0.2 + 0.05 * i + 0.1 * mult) for metric in metrics}}
               for i, a in enumerate(names)
               for mult, t in zip((0.5, 1.0, 2.0), targets, strict=True)]
    return {"study": "matched_l0", "architectures": names, "seeds": [0, 1, 2],
            "expected_l0": 3.5, "targets": targets, "summary": summary}


def _distractor_doc(methods: list[str]) -> dict:
    strengths = [0.5, 1.0, 2.0, 4.0]
    summary = []
    for i, m in enumerate(methods):
        for k, r in enumerate(strengths):
            t = max(0.0, 1 - 0.25 * k - 0.05 * i)
            summary.append({"method": m, "strength": r, "n_labelled": 64,
                            "truth_rate": _est(t), "distractor_rate": _est(1 - t),
                            "neither_rate": _est(0.0, 0.0),
                            "labels_needed_median": float(2 ** (k + i))})
    return {"study": "distractor", "seeds": list(range(20)), "methods": methods,
            "strengths": strengths, "target": 0.9, "summary": summary}


# The studies whose figures draw method names: (module, built-in names, document builder).
STUDIES = {
    "benchmarks.sparse.ladder": (["dictionary_learning", "relu_sae", "topk_sae"], _ladder_doc),
    "benchmarks.sparse.matched_l0": (["relu", "topk", "batchtopk", "jumprelu", "gated",
                                      "matryoshka"], _matched_l0_doc),
    "benchmarks.truth.distractor": (["ccs", "contrast_pca", "random_direction"],
                                    _distractor_doc),
}


# --- what a figure shows --------------------------------------------------------------------


def _ticks(ax):
    """The tick labels matplotlib draws: non-empty, of ticks inside the view limits."""
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        slack = 1e-9 * (hi - lo)
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            if lo - slack <= tick.get_loc() <= hi + slack:
                yield from (t for t in (tick.label1, tick.label2)
                            if t.get_visible() and t.get_text())


def _texts(fig):
    """Every drawn text that can name a method: legend entries, tick labels, axes titles,
    the figure's texts (suptitle, key)."""
    for ax in fig.axes:
        if not (ax.get_visible() and ax.axison):
            continue
        if ax.get_legend() is not None:
            yield from ax.get_legend().get_texts()
        yield from _ticks(ax)
        yield from (t for t in (ax.title, ax._left_title, ax._right_title) if t.get_text())
    for legend in fig.legends:
        yield from legend.get_texts()
    yield from (t for t in fig.texts if t.get_text())


def _drawn(fig):
    """``fig`` drawn as the report's PNG is (at its resolution): its texts."""
    fig.set_dpi(DPI)
    fig.canvas.draw()
    return list(_texts(fig))


def _assert_on_canvas(fig, texts, where):
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    for t in texts:
        box = t.get_window_extent(renderer)
        assert (box.x0 >= canvas.x0 - PIXEL and box.x1 <= canvas.x1 + PIXEL
                and box.y0 >= canvas.y0 - PIXEL and box.y1 <= canvas.y1 + PIXEL), \
            f"{where}: {t.get_text()!r} at {box.bounds} leaves the canvas {canvas.bounds}"


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _assert_every_method_named(fig, texts, methods, where):
    shown = {t.get_text() for t in texts}
    key = _squeeze("".join(t.get_text() for t in fig.texts))
    tags = {}
    for m in methods:
        if len(m) <= MAX_LABEL:
            assert m in shown, f"{where}: the built-in {m!r} is not named as it is"
            continue
        found = re.search(r"(M\d+)=" + re.escape(_squeeze(m)), key)
        assert found, f"{where}: the key does not give {m!r} in full"
        tag = tags[m] = found.group(1)
        labels = [s for s in shown if s.startswith(f"{tag}:")]
        assert labels, f"{where}: no label carries {m!r}'s tag {tag}"
        assert all(len(s) <= MAX_LABEL for s in labels), f"{where}: {labels} too long"
    assert len(set(tags.values())) == len(tags), f"{where}: long names share a tag: {tags}"


def _family_draw(family: str):
    module = FAMILIES[family].figures.__qualname__.partition(":")[0]
    return importlib.import_module(module).draw


# --- the tests ------------------------------------------------------------------------------


def _assert_figures_fit(drawn, methods, what: str) -> None:
    """At least one figure, each with every text on its canvas and every method named."""
    assert drawn, f"{what}: no figure drawn"
    for _, name, fig in drawn:
        texts = _drawn(fig)
        _assert_on_canvas(fig, texts, name)
        _assert_every_method_named(fig, texts, methods, name)
        plt.close(fig)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_figures_fit_long_method_names(family):
    records = _records(family)
    methods = sorted({r["method"] for r in records if r["status"] == "ok"})
    _assert_figures_fit(list(_family_draw(family)(records)), methods, family)


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_study_figures_fit_long_method_names(study):
    builtin, build = STUDIES[study]
    family = study.split(".")[1]
    methods = builtin + list(_user_names(family))
    _assert_figures_fit(list(importlib.import_module(study).draw(build(methods))), methods,
                        study)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_figures_of_builtin_names_have_no_key(family):
    # Built-in names are drawn as they are: no key, no strip below (the figure unchanged).
    records = [r for r in load_references()["records"] if r["family"] == family]
    for _, name, fig in _family_draw(family)(records):
        assert not fig.texts or all(" = " not in t.get_text() for t in fig.texts), name
        plt.close(fig)


def test_canvas_check_catches_a_long_name_drawn_as_it_is():
    # Negative control: the false-positive figure's legend as it was before the labels, a
    # long name among short ones in four columns, runs off the canvas.
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for name in ["dictionary_learning", "kmeans", *_user_names("sparse"), "pca", "topk_sae"]:
        ax.bar([0], [0.5], label=name)
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.32, top=0.9)
    with pytest.raises(AssertionError, match="leaves the canvas"):
        _assert_on_canvas(fig, _drawn(fig), "unlabelled")
    plt.close(fig)


def test_method_labels_keep_short_names_and_tag_long_ones():
    short = ["pca", "dictionary_learning", "x" * MAX_LABEL]
    k8, k16, _ = _user_names("sparse")
    labels = method_labels(short + [k8, k16])
    assert labels.of(short) == short
    # Tags follow the sorted names ("k=16" before "k=8"), whatever order a figure draws in.
    assert labels.key == (f"M1 = {k16}", f"M2 = {k8}")
    assert labels.of([k8, k16]) == ["M2: MyVeryCarefully\u2026", "M1: MyVeryCarefully\u2026"]
    assert all(len(label) == MAX_LABEL for label in labels.of([k8, k16]))


def test_method_labels_escape_dollars_for_matplotlib():
    name = "costs $5 and $6 " * 3
    labels = method_labels([name])
    assert labels[name] == "M1: costs \\$5 and \\$6\u2026"  # \$: a dollar, not mathtext
    assert labels.key == (f"M1 = {name}",)  # the key is escaped when it is drawn


def test_method_labels_take_the_object_name_of_a_file_path():
    name = "path/to/some/deeply/nested/folder/my_method_file.py:MyEraser(rank=2)"
    assert method_labels([name])[name] == "M1: MyEraser"


@pytest.mark.parametrize("width", [12, 30, 80])
def test_wrap_breaks_at_punctuation_and_every_line_fits(width):
    text = f"M1 = {_user_names('sparse')[0]}"
    lines = wrap(text, lambda s: len(s) <= width)
    assert all(len(line) <= width for line in lines)
    assert _squeeze("".join(lines)) == _squeeze(text)
    # Lines end at a break character, except where a run alone is wider than the line.
    runs = re.findall(r"[^ ,(:/.]+", text)
    if max(map(len, runs)) + 4 <= width:  # 4: the continuation indent
        assert all(line[-1] in " ,(:/." for line in lines[:-1]), lines


def test_add_key_grows_the_figure_below_and_keeps_the_rest_in_place():
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    fig.suptitle("title")
    fig.legend(["a"], loc="upper center")
    before = ax.get_position().bounds
    labels = method_labels(_user_names("sparse"))
    add_key(fig, labels)  # three entries, one of 1000 characters
    width, height = fig.get_size_inches()
    assert width == 4.0 and height > 3.0
    # In inches from the top, the axes and the suptitle have not moved.
    x0, y0, w, h = ax.get_position().bounds
    assert (x0, w) == (before[0], before[2])
    assert (1 - y0 - h) * height == pytest.approx((1 - before[1] - before[3]) * 3.0)
    assert h * height == pytest.approx(before[3] * 3.0)
    texts = _drawn(fig)
    _assert_on_canvas(fig, texts, "add_key")
    plt.close(fig)


def test_add_key_without_long_names_leaves_the_figure_alone():
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    add_key(fig, method_labels(["pca", "leace"]))
    assert tuple(fig.get_size_inches()) == (4.0, 3.0) and not fig.texts
    plt.close(fig)
