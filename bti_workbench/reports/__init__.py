"""Reports: parameterised notebooks rendered to HTML that opens offline."""

from bti_workbench.reports.render import (
    REPORTS,
    notebook_path,
    render_report,
    show_figure,
    show_table,
)

__all__ = [
    "REPORTS",
    "notebook_path",
    "render_report",
    "show_figure",
    "show_table",
]
