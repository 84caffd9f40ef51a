"""One self-contained HTML page for a run or a sweep: provenance, summary tables with
the unit on every row (median and p90 over the observed runs, labelled "(obs)", then
porsim's Kaplan-Meier p50/p90/p99 with their 95% CI, censored runs counted, "beyond
horizon" where the curve never fell that low), and the figures as inline SVG (no script,
no external file, no network reference; each SVG's ids prefixed so that figures do not
share ids)."""
from __future__ import annotations

import html
import io
import re

import pandas as pd

from . import figures as figs
from . import plots, tables
from .loaders import Run, Sweep

CSS = """
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1100px; padding: 0 1em;
       color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.55em; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.2em 0; } figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.9em; color: #444; margin-top: 0.3em; }
.notes { color: #555; font-size: 0.9em; }
.scroll { overflow-x: auto; }
"""


def _svg_inline(fig, prefix: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.1,
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plots.plt.close(fig)
    s = buf.getvalue()
    s = s[s.index("<svg"):]
    s = re.sub(r"<metadata>.*?</metadata>\s*", "", s, flags=re.S)
    s = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', s)
    s = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", s)
    s = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', s)
    return s


def _table(head: list[str] | None, rows: list[list[str]], num_from: int) -> str:
    out = ["<div class='scroll'><table>"]
    if head:
        out.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>")
    for r in rows:
        out.append("<tr>" + "".join(
            f"<td class='num'>{html.escape(c)}</td>" if i >= num_from else f"<td>{c}</td>"
            for i, c in enumerate(r)) + "</tr>")
    out.append("</table></div>")
    return "\n".join(out)


def _summary_rows(df: pd.DataFrame, keys: list[str]) -> tuple[list[str], list[list[str]]]:
    """Rows keyed by KEYS (the metric's name when KEYS is empty), then the unit of the
    row and the figures in that unit."""
    head = (keys or ["metric"]) + ["unit", "n", "censored", "missing", "mean", "95% CI",
                                   "median (obs)", "p90 (obs)"] + \
        [f"KM {q} [95% CI]" for q in tables.KM_PS]
    rows = []
    for _, r in df.iterrows():
        key = ([html.escape(str(r[k])) for k in keys] if keys
               else [f"<code>{html.escape(r['metric'])}</code>"])
        rows.append(key + [html.escape(r["unit"] or "-"),
                     tables.fmt(r["n"]), tables.fmt(r["censored"]), tables.fmt(r["missing"]),
                     tables.fmt(r["mean"]), tables.ci(r["ci_lo"], r["ci_hi"]),
                     tables.fmt(r["median"]), tables.fmt(r["p90"])] +
                    [tables.km_q_text(r, q) for q in tables.KM_PS])
    return head, rows


def _provenance(items: list[tuple[str, str]]) -> str:
    return _table(None, [[html.escape(k), f"<code>{html.escape(str(v))}</code>"]
                         for k, v in items], 99)


def build(obj, metrics: list[str], series_csv: str | None = None) -> str:
    notes: list[str] = []
    meta = obj.meta
    name = meta.get("scenario_name") or meta.get("scenario") or "?"
    parts = []
    if isinstance(obj, Sweep):
        seed = ", ".join(str(s) for s in sorted(set(obj.points["scenario_seed"])))
        title = f"porsim report: {name} (sweep of {len(obj.points)} points, seed {seed})"
        parts.append(_provenance([("porsim", meta.get("porsim_version", "?")),
                                  ("output format", meta.get("format_version", 1)),
                                  ("command", meta.get("command", "?")),
                                  ("scenario file", meta.get("scenario_file", "?")),
                                  ("parameters", ", ".join(obj.params))]))
        parts.append("<h2>Points</h2>")
        head = ["point"] + obj.params + ["scenario hash", "seed", "replications"]
        rows = [[str(r["point"])] + [html.escape(str(r[q])) for q in obj.params] +
                [f"<code>{r['scenario_hash']}</code>", str(r["scenario_seed"]),
                 str(r["scenario_replications"])] for _, r in obj.points.iterrows()]
        parts.append(_table(head, rows, 99))
        df = tables.sweep_table(obj, metrics)
        for m in metrics:
            parts.append(f"<h2>Summary: <code>{html.escape(m)}</code></h2>")
            parts.append(f"<p class='notes'>{html.escape(obj.metrics[m].help)}</p>")
            head, rows = _summary_rows(df[df["metric"] == m], ["point"] + obj.params)
            parts.append(_table(head, rows, len(obj.params) + 2))
        fr = figs.load_frontier(obj.dir)
        if fr is not None:
            parts.append("<h2>Frontier (frontier.csv)</h2>")
            parts.append(_table(list(fr.columns),
                                [[html.escape(tables.fmt(v) if isinstance(v, float) else str(v))
                                  for v in r] for r in fr.itertuples(index=False)], 0))
    else:
        title = (f"porsim report: {name} (hash {meta.get('scenario_hash', '?')}, "
                 f"seed {meta.get('seed', '?')})")
        parts.append(_provenance([("porsim", meta.get("porsim_version", "?")),
                                  ("output format", meta.get("format_version", 1)),
                                  ("command", meta.get("command", "?")),
                                  ("scenario file", meta.get("scenario_file", "?")),
                                  ("replications", len(obj.runs))]))
        parts.append("<h2>Summary</h2>")
        head, rows = _summary_rows(tables.run_table(obj, metrics), [])
        parts.append(_table(head, rows, 2))
    fl = figs.figures(obj, metrics, series_csv, notes)
    parts.append("<h2>Figures</h2>")
    for k, f in enumerate(fl, 1):
        parts.append(f"<figure id='{f.name}'>{_svg_inline(f.fig, f'f{k}_')}"
                     f"<figcaption>Figure {k}. {html.escape(f.caption)}</figcaption></figure>")
    if notes:
        parts.append("<ul class='notes'>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes)
                     + "</ul>")
    return ("<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
            f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n" + "\n".join(parts) + "\n</body>\n</html>\n")
