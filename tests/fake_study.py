"""A tiny study module for the report's tests (`reports.studies` protocol)."""

from __future__ import annotations

from pathlib import Path

TITLE = "fake ladder"
QUESTION = "Does the fake study render in its family's section?"


def run(profile: str = "quick", seeds=None, jobs: int = 1) -> dict:
    return {"study": "fake", "profile": profile, "seeds": list(seeds or [0, 1]),
            "rows": [{"size": s, "count": 2 * s} for s in (1, 2)]}


def figures(doc: dict, out: Path) -> list[tuple[str, Path]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([r["size"] for r in doc["rows"]], [r["count"] for r in doc["rows"]])
    path = Path(out) / "fake_study.png"
    fig.savefig(path, dpi=50)
    plt.close(fig)
    return [("fake study figure", path)]


def findings(doc: dict) -> list[tuple[str, str, str]]:
    return [("fake on size 2", f"counts {doc['rows'][-1]['count']} features", "")]
