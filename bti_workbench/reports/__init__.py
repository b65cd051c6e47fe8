"""Reports: parameterised notebooks rendered to HTML that opens offline."""

from bti_workbench.reports.messages import failure_message, safe_message
from bti_workbench.reports.render import (
    REPORTS,
    notebook_path,
    render_report,
    show_figure,
    show_note,
    show_table,
    show_text,
)

__all__ = [
    "REPORTS",
    "failure_message",
    "notebook_path",
    "render_report",
    "safe_message",
    "show_figure",
    "show_note",
    "show_table",
    "show_text",
]
