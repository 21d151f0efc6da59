"""A check's rows as the terminal shows them, for Jupyter: an HTML table and a Markdown table."""
import html

HEADER = ["quantity", "closed form", "compared with", "z / rel. error / p", "rule", ""]


def _number(value):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if value == 0 or 1e-4 <= abs(value) < 1e6:
        return f"{value:.8g}"
    return f"{value:.4e}"


def cells(row):
    """The six columns of one row (JSON as `lessons run --json` prints it)."""
    monte_carlo = row.get("monteCarlo")
    if monte_carlo:
        compared = f"{_number(monte_carlo['mean'])} ± {_number(monte_carlo['stderr'])} (n={monte_carlo['n']})"
        measure = f"z = {row['z']:+.2f}" if isinstance(row.get("z"), (int, float)) else "z = —"
    elif row.get("pValue") is not None:
        compared = f"KS D = {_number(row.get('statistic'))} (n={row.get('sampleCount')})"
        measure = f"p = {_number(row['pValue'])}"
    elif row.get("exact") is not None or row.get("relativeError") is not None:
        compared = _number(row.get("exact"))
        measure = f"rel {_number(row.get('relativeError'))}"
    else:
        compared, measure = "", ""
    return [row["quantity"], _number(row.get("closedForm")), compared, measure, row["tolerance"], "✓" if row["pass"] else "✗"]


def title(result):
    verdict = f" — verdict: {result['verdict']}" if result.get("verdict") else ""
    mark = "✓" if result["pass"] else "✗"
    return f"{mark} {result['id']} — {result['title']}{verdict}"


def tally(result):
    rows = result["rows"]
    failed = sum(1 for row in rows if not row["pass"])
    return f"{len(rows) - failed} of {len(rows)} rows pass"


def as_html(result):
    out = [f"<p><strong>{html.escape(title(result))}</strong></p>", "<table>", "<thead><tr>"]
    out += [f"<th>{html.escape(name)}</th>" for name in HEADER]
    out.append("</tr></thead><tbody>")
    for row in result["rows"]:
        out.append("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in cells(row)) + "</tr>")
    out += ["</tbody></table>", f"<p>{html.escape(tally(result))}</p>"]
    return "\n".join(out)


def as_markdown(result):
    def escape(text):
        return str(text).replace("|", "\\|")
    out = [f"**{escape(title(result))}**", "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    out += ["| " + " | ".join(escape(cell) for cell in cells(row)) + " |" for row in result["rows"]]
    out += ["", tally(result)]
    return "\n".join(out)


def as_text(result):
    widths = [max(len(str(line[i])) for line in [HEADER] + [cells(row) for row in result["rows"]]) for i in range(len(HEADER))]
    def line(values):
        return "  ".join(str(value).ljust(width) for value, width in zip(values, widths)).rstrip()
    return "\n".join([title(result), line(HEADER)] + [line(cells(row)) for row in result["rows"]] + [tally(result)])
