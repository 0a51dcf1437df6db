"""deploy/prometheus and deploy/grafana: the rules, their unit tests, the scrape and routing
configs and the dashboard are checked by the tools that will load them (promtool, amtool)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from innkeeper.testing.processes import require_binary

ROOT = Path(__file__).resolve().parents[5]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "innkeeper.json"
TELEMETRY = ROOT / "src" / "innkeeper" / "ops" / "telemetry"
SEVERITIES = {"sev0", "sev1", "sev2", "sev3"}
# Metrics that come from other exporters the configs scrape.
EXTERNAL = {"up", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"}
EXTERNAL |= {"node_cpu_seconds_total", "probe_ssl_earliest_cert_expiry"}
EXTERNAL |= {"process_resident_memory_bytes", "process_cpu_seconds_total"}
METRIC_NAME = re.compile(r"\b((?:innkeeper|node|probe|process)_[a-zA-Z0-9_]+|up)\b(?!\s*\()")


def run(*args: str, cwd: Path = PROMETHEUS_DIR) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def rules() -> list[dict]:
    groups = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def declared_metrics() -> set[str]:
    """Every sample name innkeeper exports: declared names plus their type's suffixes."""
    sources = [(ROOT / "src/innkeeper/core/instruments.py").read_text()]
    sources += [path.read_text() for path in TELEMETRY.glob("*.py")]
    names = set()
    for text in sources:
        names |= set(re.findall(r'"(innkeeper_[a-z0-9_]+)"', text))
    suffixes = ("", "_total", "_bucket", "_sum", "_count")
    return {name + suffix for name in names for suffix in suffixes}


def github_anchor(heading: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def runbook_anchors() -> set[str]:
    headings = re.findall(r"^#{2,4} (.+)$", (ROOT / "RUNBOOK.md").read_text(), flags=re.M)
    return {github_anchor(h) for h in headings}


def test_promtool_checks_and_unit_tests_the_rules():
    promtool = require_binary("promtool", "`make system-tools` installs Debian's prometheus")
    run(promtool, "check", "rules", "alerts.yml")
    output = run(promtool, "test", "rules", "alerts.test.yml")
    assert "SUCCESS" in output


def test_every_rule_has_a_firing_unit_test_a_sev_level_and_a_runbook_section():
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts.test.yml").read_text())["tests"]
    fired = {
        case["alertname"]
        for test in tests
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    anchors = runbook_anchors()
    for rule in rules():
        name = rule["alert"]
        assert name in fired, f"{name} has no unit test that makes it fire"
        assert rule["labels"]["severity"] in SEVERITIES, name
        url = rule["annotations"]["runbook_url"]
        assert url.startswith("RUNBOOK.md#"), name
        assert url.split("#", 1)[1] in anchors, f"{name}: no RUNBOOK section {url}"


def test_rules_and_dashboard_only_use_metrics_that_exist():
    known = declared_metrics() | EXTERNAL
    expressions = [rule["expr"] for rule in rules()] + dashboard_expressions()
    for expr in expressions:
        unknown = {m for m in METRIC_NAME.findall(expr) if m not in known}
        assert not unknown, f"{expr}: unknown metrics {unknown}"


def test_scrape_config_and_alertmanager_route_are_valid():
    promtool = require_binary("promtool", "`make system-tools` installs Debian's prometheus")
    run(promtool, "check", "config", "--syntax-only", "prometheus.yml")
    amtool = require_binary("amtool", "`make system-tools` installs prometheus-alertmanager")
    output = run(amtool, "check-config", "alertmanager.yml")
    assert "SUCCESS" in output


def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def dashboard_expressions() -> list[str]:
    return [t["expr"] for p in dashboard()["panels"] for t in p.get("targets", [])]


def test_dashboard_has_the_structure_grafana_imports():
    board = dashboard()
    assert board["uid"] and board["title"] and isinstance(board["schemaVersion"], int)
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    rows = [p["title"] for p in board["panels"] if p["type"] == "row"]
    for topic in ("RED", "Bookings", "Queue", "payments", "Backups"):
        assert any(topic in row for row in rows), topic
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24 and grid["h"] > 0, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert refs and len(refs) == len(set(refs)), panel["title"]


def test_dashboard_queries_are_valid_promql(tmp_path: Path):
    """promtool parses each query as a recording rule (Grafana's variables filled in)."""
    promtool = require_binary("promtool", "`make system-tools` installs Debian's prometheus")
    substitutions = {"$__rate_interval": "5m", "$instance": ".*"}
    records = []
    for number, expr in enumerate(dashboard_expressions()):
        for variable, value in substitutions.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, expr
        records.append({"record": f"dashboard:query_{number}", "expr": expr})
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": records}]}))
    run(promtool, "check", "rules", str(path), cwd=tmp_path)


@pytest.mark.parametrize("path", ["alerts.yml", "alerts.test.yml", "prometheus.yml"])
def test_configs_are_plain_yaml(path: str):
    assert yaml.safe_load((PROMETHEUS_DIR / path).read_text())


def test_runbook_lists_every_alert():
    runbook = (ROOT / "RUNBOOK.md").read_text()
    missing = [rule["alert"] for rule in rules() if f"`{rule['alert']}`" not in runbook]
    assert not missing
