"""The leaders' dashboard (first page): population, services and the case flow.

Serve with ``panel serve dashboards/leader_app.py`` (``make demo`` does it on the demo data).
The data folder is ``$BTI_DATA_DIR`` (default ``data/demo``); the small-cell threshold is
``$BTI_SUPPRESSION_K`` (default 5) and never set by the viewer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import panel as pn

from bti_workbench.caseflow import FLOW_COLUMNS, FLOW_ROWS, flow_table
from bti_workbench.figures import case_flow_sankey, flow_table_text, population_bars
from bti_workbench.io import read_event_log
from bti_workbench.labels import label
from bti_workbench.population import band_totals
from bti_workbench.privacy import DEFAULT_K
from bti_workbench.services import services_overview

pn.extension("plotly", "tabulator", sizing_mode="stretch_width")

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("BTI_DATA_DIR", ROOT / "data" / "demo"))
K = int(os.environ.get("BTI_SUPPRESSION_K", DEFAULT_K))


@pn.cache
def load(data_dir: str) -> dict:
    """Read the data folder once per server process."""
    folder = Path(data_dir)
    if not (folder / "manifest.json").exists():
        raise FileNotFoundError(label("ui.no_data", "en", folder=folder))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    population = pd.read_csv(folder / "population.csv", comment="#", dtype={"kommunenummer": str})
    services = pd.read_csv(folder / "services.csv", comment="#")
    flows = flow_table(read_event_log(folder / "event_log.csv"), k=K)
    return {"manifest": manifest, "population": population, "services": services, "flows": flows}


def page(lang: str) -> pn.Column:
    data = load(str(DATA_DIR))
    manifest = data["manifest"]
    flows = data["flows"]
    population = data["population"].set_index("age")["persons"]
    hidden = int(flows.hidden.loc[list(FLOW_ROWS), list(FLOW_COLUMNS)].to_numpy().sum())
    header = f"## {manifest['name']} ({manifest['municipality']})"
    banner = label("app.synthetic_banner", lang) if manifest.get("synthetic") else ""
    source = f"{label('ui.source', lang)}: {manifest.get('population_source', '')}."
    if not manifest.get("population_exact", True):
        source += " " + label("ui.population_spread", lang)
    return pn.Column(
        pn.pane.Markdown(header + (f"\n\n**{banner}**" if banner else "")),
        pn.Row(
            pn.pane.Plotly(population_bars(band_totals(population), lang)),
            pn.pane.Plotly(case_flow_sankey(flows, lang)),
        ),
        pn.pane.Markdown(
            f"{source} {label('ui.case_flow_note', lang)} "
            f"{label('ui.hidden_count', lang, n=hidden)} {label('suppression.note', lang, k=K)}"
        ),
        pn.pane.DataFrame(flow_table_text(flows, lang), sizing_mode="stretch_width"),
        pn.pane.Markdown(f"### {label('ui.services', lang)}"),
        pn.widgets.Tabulator(
            services_overview(data["services"], lang),
            disabled=True,
            show_index=False,
            pagination=None,
            layout="fit_columns",
        ),
    )


# Each language is named in itself, so a reader of either finds the switch.
language = pn.widgets.RadioButtonGroup(
    options={label("ui.language_name", "nb"): "nb", label("ui.language_name", "en"): "en"},
    value="nb",
)
template = pn.template.BootstrapTemplate(
    title=f"{label('app.title', 'nb')} / {label('app.title', 'en')}",
    sidebar=[
        pn.pane.Markdown(f"**{label('ui.language', 'nb')} / {label('ui.language', 'en')}**"),
        language,
    ],
    main=[pn.panel(pn.bind(page, language), loading_indicator=True)],
    header_background="#1f4e79",
)
template.servable()
