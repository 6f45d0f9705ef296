"""The README's explained price (section "Explaining a price") holds the figures of a run."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools.explain_price import END, START, explanation  # noqa: E402


def test_the_readme_explains_a_price_with_the_figures_of_a_run():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert START in text and END in text
    shown = text[text.index(START):text.index(END) + len(END)]
    assert shown == explanation("SB-T1"), "run: PYTHONPATH=.:udfs python tools/explain_price.py"
