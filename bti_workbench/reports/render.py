"""Reproducible reports: run a parameterised notebook with papermill and render HTML without code.

The notebook is the report: its markdown tells the story and its cells call the library. The
rendered page keeps the text, tables and pictures and drops the code, the prompts and the
cells tagged ``parameters``, ``injected-parameters`` or ``remove``. Plotly figures are embedded
with plotly.js inline, so the page opens offline. Every page says which workbench made it: a
footer line in the report's language and ``<meta name="generator">``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from bti_workbench._util.atomic import write_atomically
from bti_workbench._util.version import WORKBENCH_VERSION
from bti_workbench.reference.labels import label, languages

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "REPORTS",
    "notebook_path",
    "render_report",
    "show_figure",
    "show_note",
    "show_table",
    "show_text",
]

#: Report name (``bti report NAME``) → notebook.
REPORTS = {
    "load": "01_escalation_load.ipynb",
    "collaboration": "02_collaboration_map.ipynb",
    "evaluation": "03_pilot_evaluation.ipynb",
    "national": "04_national_comparison.ipynb",
    "brief": "05_brief.ipynb",
}

_HIDDEN_TAGS = ("parameters", "injected-parameters", "remove")
# JupyterLab's page without the scripts it fetches from the net (require.js, MathJax, Mermaid):
# the report has no maths or diagrams, and plotly.js is inline. The footer and the generator
# tag say which workbench made the page.
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<meta name="generator" content="{{ resources.bti_generator | e }}">
{%- endblock html_head_css -%}
{% block body_footer %}
<footer class="bti-made-with"><p>{{ resources.bti_footer | e }}</p></footer>
</main>
</body>
{% endblock body_footer %}
"""
_state = {"plotly_js_included": False}


def notebook_path(name: str) -> Path:
    """Where a shipped notebook is: the repository's ``notebooks/`` or the installed copy."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (
        package.parent / "notebooks" / name,
        package / "resources" / "notebooks" / name,
    ):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"notebook {name} is not installed")


def show_figure(figure: go.Figure) -> None:
    """Display a plotly figure as self-contained HTML (plotly.js inline with the first one).

    Use in report notebooks instead of ``figure.show()``: the rendered report then opens
    without a network connection and without a notebook front end.
    """
    from IPython.display import HTML, display

    include = not _state["plotly_js_included"]
    _state["plotly_js_included"] = True
    display(HTML(figure.to_html(full_html=False, include_plotlyjs=include)))


def show_note(text: str) -> None:
    """Display a sentence for readers as a paragraph of prose, e.g. why a section is absent.

    Use in report notebooks instead of ``print``: the sentence reads as text, not as program
    output. The text is escaped, never read as HTML.
    """
    import html

    from IPython.display import HTML, display

    display(HTML(f'<p class="bti-note"><em>{html.escape(text)}</em></p>'))


def show_text(key: str, lang: str = "nb", **fields: object) -> None:
    """Display a passage of the notebook's prose from the catalogue, as Markdown.

    A report notebook's headings and paragraphs are catalogue rows (``resources/labels.csv``,
    one column per language), so its prose follows the ``lang`` parameter and a new language
    is a new column. Use in report notebooks instead of a Markdown cell.

    Parameters
    ----------
    key : str
        A catalogue key, e.g. ``"nb01.intro"``.
    lang : str, default "nb"
        One of :func:`bti_workbench.reference.labels.languages`.
    **fields
        Values for the text's ``{fields}``.

    See Also
    --------
    show_note : One sentence of prose written by the code (e.g. why a section is absent).
    bti_workbench.reference.labels.label : The text itself.
    """
    from IPython.display import Markdown, display

    display(Markdown(label(key, lang, **fields)))


def show_table(frame: pd.DataFrame) -> None:
    """Display a table for readers: no row numbers, text left-aligned and not cut short.

    Build the frame with a ``*_display`` function (names from the catalogue, numbers in the
    language's format); a missing value still left shows as a dash, never ``NaN``.
    """
    from IPython.display import display

    styled = (
        frame.style.hide(axis="index")
        .format(_keep_units_on_the_line, na_rep="–", escape="html")
        .set_properties(**{"text-align": "left", "white-space": "normal"})
        .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}])
    )
    display(styled)


def _keep_units_on_the_line(value: object) -> object:
    """A number and its unit (``12,5 %``) never break across lines in a narrow column."""
    return value.replace(" %", "\u00a0%") if isinstance(value, str) else value


def render_report(
    notebook: str | Path,
    parameters: Mapping[str, object],
    out: str | Path,
    *,
    kernel_name: str = "python3",
    timeout: int = 1200,
    keep_notebook: str | Path | None = None,
    title: str = "",
) -> Path:
    """Execute a notebook with parameters and write it as HTML without code.

    Parameters
    ----------
    notebook : str or pathlib.Path
    parameters : mapping
        Injected by papermill after the cell tagged ``parameters``; ``lang`` (``nb`` by
        default) is also the language of the footer that names the workbench's version.
    out : str or pathlib.Path
        The HTML file; written atomically, only when the whole notebook ran.
    kernel_name : str, default "python3"
    timeout : int, default 1200
        Seconds a single cell may take.
    keep_notebook : str or pathlib.Path, optional
        Also keep the executed notebook there (with code), for the record.
    title : str, optional
        The page's title (the browser's tab); default the notebook's file name.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    papermill.PapermillExecutionError
        When a cell fails; its message says which and why. Nothing is written.
    """
    import jinja2
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="bti-report-") as work:
        executed = Path(work) / "executed.ipynb"
        try:
            pm.execute_notebook(
                str(notebook),
                str(executed),
                parameters=dict(parameters),
                kernel_name=kernel_name,
                progress_bar=False,
                execution_timeout=timeout,
                cwd=str(Path(notebook).resolve().parent),
                kernel_manager_class=_local_kernel_manager(),
            )
        finally:  # keep the record, failed or not: a failing cell's message is read there
            if keep_notebook is not None and executed.exists():
                text = executed.read_text(encoding="utf-8")
                target = Path(keep_notebook)
                write_atomically(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        node = nbformat.read(executed, as_version=4)
    remover = TagRemovePreprocessor(remove_cell_tags=_HIDDEN_TAGS, enabled=True)
    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        extra_loaders=[jinja2.DictLoader({"offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="offline.html.j2",
    )
    exporter.register_preprocessor(remover, enabled=True)
    resources = _made_with(parameters) | {"metadata": {"name": title or Path(notebook).stem}}
    html, _ = exporter.from_notebook_node(node, resources=resources)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, lambda tmp: Path(tmp).write_text(html, encoding="utf-8"))
    return out


def _local_kernel_manager() -> type:
    """A kernel manager that talks to its kernel over local sockets (IPC), not TCP.

    Over TCP on localhost the kernel warns on every run that "all communication … is sent in
    plain text and is susceptible to eavesdropping": true of TCP, alarming in a report run,
    and needless, since the kernel is a child process on the same machine. IPC sockets are
    files in Jupyter's runtime folder, readable by the user alone, and removed afterwards.
    """
    import shutil

    from jupyter_client.manager import KernelManager

    class LocalKernelManager(KernelManager):
        def __init__(self, *args: object, **kwargs: object) -> None:
            # Each kernel's sockets in a folder of its own: reports rendered at the same
            # time never share a socket, and nothing is left in the notebook's folder.
            self._socket_folder = tempfile.mkdtemp(prefix="bti-kernel-")
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", str(Path(self._socket_folder) / "kernel"))
            super().__init__(*args, **kwargs)

        def cleanup_resources(self, restart: bool = False) -> None:
            super().cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(self._socket_folder, ignore_errors=True)

    return LocalKernelManager


def _made_with(parameters: Mapping[str, object]) -> dict[str, str]:
    """The footer line and the generator tag: the workbench's version, in the report's language."""
    lang = parameters.get("lang", languages()[0])
    lang = lang if lang in languages() else languages()[0]
    return {
        "bti_footer": label("rep.made_with", str(lang), version=WORKBENCH_VERSION),
        "bti_generator": f"bti_workbench {WORKBENCH_VERSION}",
    }
