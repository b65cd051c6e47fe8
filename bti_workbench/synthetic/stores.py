"""Which store to read when none is named: the real one if imported, else the demo store.

The report, the dashboard and the notebooks run before anyone has imported real exports: they
then read a demo store of synthetic municipalities, built on first use. Choosing between the
two needs the demo generator, so it lives here in :mod:`bti_workbench.synthetic` and not in
the evaluation, which reads whichever store it is given.
"""

from __future__ import annotations

from pathlib import Path

from bti_workbench._util.resources import data_dir
from bti_workbench.synthetic.demo import write_demo_store

__all__ = ["default_store"]


def default_store() -> Path:
    """``data/store/bti.duckdb`` when it exists; else the demo store (built once).

    The demo store (:func:`bti_workbench.synthetic.demo.write_demo_store`: Sirdal, Haugesund
    and Skien, synthetic, staggered go-live) at ``data/store/demo.duckdb`` lets the report and
    the dashboard run before any import; it is written the first time it is needed.

    Returns
    -------
    pathlib.Path
        The store to read.

    See Also
    --------
    bti_workbench.evaluation.sources.load_evaluation : reads a municipality from a store.
    bti_workbench.synthetic.demo.write_demo_store : builds the demo store.
    """
    real = data_dir() / "store" / "bti.duckdb"
    if real.exists():
        return real
    demo = data_dir() / "store" / "demo.duckdb"
    if not demo.exists():
        write_demo_store(demo)
    return demo
