#!/usr/bin/env python3
"""Checks a Grafana dashboard of the compose stack, then prints the metric names its queries use,
one per line, for a test to look up in a live gateway's /metrics (Grafana is not packaged by
Debian, so the dashboard is checked as JSON, and its PromQL with promtool).

    check-dashboard.py DASHBOARD.json DATASOURCES_DIR

Checks: valid JSON; unique panel ids, no overlapping panels on the 24-column grid; every query's data
source is one provisioned in DATASOURCES_DIR; every query is PromQL that `promtool check rules`
accepts (Grafana's $variables replaced by plain values); the panels cover what an operator needs
(ingest, latency, status codes, producer queue, delivery errors, lag, currencies, alerts). Exits
non-zero with one line per problem."""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

# Series an operator needs on the dashboard (issue 10), by what each shows.
REQUIRED = {
    "gateway_kafka_produced_total": "ingest rate",
    "gateway_http_request_duration_seconds_bucket": "latency percentiles",
    "gateway_http_requests_total": "error and rejection rates by status",
    "gateway_kafka_producer_queue_depth": "producer queue",
    "gateway_kafka_delivery_errors_total": "delivery errors",
    "gateway_consumer_lag": "consumer lag",
    "gateway_window_transactions_by_currency": "transactions by currency",
    "gateway_alerts_total": "alerts by rule",
}
# Grafana's own variables, replaced by values of the same kind so promtool can parse the query.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"}

dashboard_path, datasources_dir = sys.argv[1], sys.argv[2]
problems = []


def need(condition, message):
    if not condition:
        problems.append(message)


try:
    dashboard = json.load(open(dashboard_path))
except ValueError as error:
    print(f"{dashboard_path}: not JSON: {error}")
    sys.exit(1)

provisioned = set()
for name in sorted(os.listdir(datasources_dir)):
    for source in (yaml.safe_load(open(os.path.join(datasources_dir, name))) or {}).get("datasources", []):
        provisioned.add((source.get("type"), source.get("uid")))

need(bool(dashboard.get("uid")) and bool(dashboard.get("title")), "dashboard has no uid or title")
variables = {variable["name"]: variable for variable in dashboard.get("templating", {}).get("list", [])}


def check_datasource(where, datasource):
    pair = (datasource or {}).get("type"), (datasource or {}).get("uid")
    need(pair in provisioned, f"{where}: data source {pair} is not provisioned (have {sorted(provisioned)})")


def plain(expr):
    """The query with Grafana's variables replaced: $__rate_interval by 1m, $name by `.*`."""
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return re.sub(r"\$\{?(\w+)\}?", lambda match: ".*" if match.group(1) in variables else match.group(0), expr)


def metric_names(expr):
    """Metric names in a PromQL expression: identifiers outside strings, label matchers, ranges
    and grouping clauses, not called like functions, not PromQL keywords."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?", expr):
        name, call = match.group(1), match.group(2)
        if not call and name.lower() not in PROMQL_WORDS:
            names.add(name)
    return names


queries = []  # (where, expr)
panels = dashboard.get("panels", [])
need(len(panels) > 0, "dashboard has no panels")
ids, cells = set(), {}
for panel in panels:
    where = f"panel {panel.get('id')} {panel.get('title')!r}"
    need(panel.get("id") not in ids, f"{where}: id used twice")
    ids.add(panel.get("id"))
    grid = panel.get("gridPos", {})
    need(grid.get("x", 0) + grid.get("w", 0) <= 24, f"{where}: wider than the 24-column grid")
    for x in range(grid.get("x", 0), grid.get("x", 0) + grid.get("w", 0)):
        for y in range(grid.get("y", 0), grid.get("y", 0) + grid.get("h", 0)):
            need((x, y) not in cells, f"{where}: overlaps {cells.get((x, y))}")
            cells.setdefault((x, y), where)
    if panel.get("type") == "row":
        continue
    targets = panel.get("targets", [])
    need(len(targets) > 0, f"{where}: no queries")
    need(len({target.get("refId") for target in targets}) == len(targets), f"{where}: refIds not unique")
    for target in targets:
        check_datasource(where, target.get("datasource") or panel.get("datasource"))
        need(bool(target.get("expr")), f"{where}: query {target.get('refId')} has no expr")
        queries.append((where, target.get("expr", "")))
for name, variable in variables.items():
    if variable.get("type") == "query":
        check_datasource(f"variable {name}", variable.get("datasource"))
        query = variable.get("query")
        query = query.get("query", "") if isinstance(query, dict) else str(query)
        series = re.fullmatch(r"label_values\((.+),\s*\w+\)", query)
        need(series is not None, f"variable {name}: query {query!r} is not label_values(series, label)")
        if series:
            queries.append((f"variable {name}", series.group(1)))

# PromQL syntax, by Prometheus' own parser: every query as a recording rule for promtool.
rules = {"groups": [{"name": "dashboard", "rules": [
    {"record": f"dashboard:query_{index}", "expr": plain(expr)} for index, (_, expr) in enumerate(queries)]}]}
with tempfile.NamedTemporaryFile("w", suffix=".yml") as file:
    yaml.safe_dump(rules, file)
    file.flush()
    try:
        result = subprocess.run(["promtool", "check", "rules", file.name], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            output = result.stdout + result.stderr
            problems.extend(f"promtool: {line.strip()}" for line in output.splitlines() if "dashboard:query_" in line or "error" in line)
            for index in sorted({int(number) for number in re.findall(r"dashboard:query_(\d+)", output)}):
                where, expr = queries[index]
                problems.append(f"{where}: query {expr!r} is not PromQL")
    except FileNotFoundError:
        problems.append("promtool not found (Debian package prometheus; scripts/install-deps.sh installs it)")

used = set()
for _, expr in queries:
    used |= metric_names(plain(expr))
for name, purpose in REQUIRED.items():
    need(name in used, f"no panel shows {purpose} ({name})")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("\n".join(sorted(used)))
