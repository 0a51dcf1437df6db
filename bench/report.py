"""bench/results/<date>.json plus a Markdown summary: figure, raw limit and ratio per scenario."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from statistics import median
from typing import Any

from bench.context import Result


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    pg = subprocess.run(
        ["pgbench", "--version"],  # noqa: S607 (a Debian tool on PATH, like wrk)
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "pgbench": pg.stdout.strip(),
        "kernel": platform.release(),
    }


def _f(value: object) -> str:
    return "n/a" if value is None else f"{value}"


def _availability(r: Result) -> list[str]:
    s, h1, h8, q1, q8 = r["selector"], r["http_c1"], r["http_c8"], r["raw_sql_c1"], r["raw_sql_c8"]
    x = r["ratios"]
    return [
        f"### {r['scenario']} ({r['rooms']} rooms)",
        "| | p50 ms | p95 ms | p99 ms | req/s (8 clients) |",
        "|---|---|---|---|---|",
        f"| selector (in-process) | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | |",
        f"| HTTP GET /api/v1/availability | {h1['p50_ms']} | {h1['p95_ms']} | {h1['p99_ms']} "
        f"| {h8['per_second']} |",
        f"| raw SQL (pgbench, GiST anti-join) | {q1['p50_ms']} | {q1['p95_ms']} | {q1['p99_ms']} "
        f"| {q8['per_second']} |",
        "",
        f"Ratios: selector/SQL p50 **{_f(x['selector_p50_vs_sql_p50'])}x**, HTTP/SQL p50 "
        f"**{_f(x['http_p50_vs_sql_p50'])}x**, p99 {_f(x['http_p99_vs_sql_p99'])}x; HTTP reaches "
        f"**{_f(x['http_rps_share_of_sql_tps_c8'])}** of the SQL throughput at 8 clients.",
        "",
    ]


def _booking(r: Result) -> list[str]:
    h, q, x = r["http"], r["raw_sql"], r["ratios"]
    row = "| {} | {} | {} | {} | {} | {} | {} | {} |"
    return [
        f"### {r['scenario']}",
        "| | attempts/s | bookings/s | created | conflicts | errors | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|---|---|",
        row.format(
            "HTTP POST /api/v1/bookings", h["per_second"], h["bookings_per_second"], h["created"],
            h["conflicts"], h["errors"], h["p50_ms"], h["p99_ms"],
        ),
        row.format(
            "raw SQL (pgbench)", q["per_second"], q["bookings_per_second"], q["created"],
            q["conflicts"], q["errors"], q["p50_ms"], q["p99_ms"],
        ),
        "",
        f"HTTP reaches **{_f(x['http_attempts_share_of_sql'])}** of the SQL attempt rate; "
        f"p50 {_f(x['http_p50_vs_sql_p50'])}x, p99 {_f(x['http_p99_vs_sql_p99'])}x. "
        f"Double bookings after the run (`innkeeper bookings verify`): "
        f"**{'none' if r['double_bookings_zero'] else 'FOUND'}**.",
        "",
    ]  # fmt: skip


def _sqlite(r: Result) -> list[str]:
    s, q = r["selector"], r["raw_sql"]
    return [
        f"### {r['scenario']} ({r['rooms']} rooms, {r['bookings']} bookings in the file)",
        "| | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|",
        f"| selector (in-process) | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} |",
        f"| raw SQL (stdlib sqlite3) | {q['p50_ms']} | {q['p95_ms']} | {q['p99_ms']} |",
        "",
        f"Ratio: selector/SQL p50 **{_f(r['ratios']['selector_p50_vs_sql_p50'])}x**.",
        "",
    ]


def _health(r: Result) -> list[str]:
    h = r["http"]
    lines = [
        f"### {r['scenario']} (GET {r['path']}, {r['clients']} clients)",
        f"{h['per_second']} req/s (p50 {h['p50_ms']} ms, p99 {h['p99_ms']} ms) vs the bare app "
        f"on granian {r.get('bare_granian_rps')} req/s: "
        f"**{_f(r['ratios'].get('rps_share_of_bare_granian'))}** (on gunicorn gthread "
        f"{r['bare_gunicorn_rps']} req/s: {_f(r['ratios']['rps_share_of_bare_gunicorn'])}). "
        f"Server CPU per request: {_f(r.get('cpu_us_per_request', {}).get('innkeeper'))} us, "
        f"bare granian {_f(r.get('cpu_us_per_request', {}).get('bare_granian'))} us "
        f"(ratio {_f(r['ratios'].get('cpu_bare_granian_vs_innkeeper'))}).",
    ]
    if r["note"]:
        lines.append(f"Note: {r['note']}")
    return [*lines, ""]


def _jobs(r: Result) -> list[str]:
    d, x = r["delivery"], r["ratios"]
    w, q, one = r["worker"], r["raw_per_message_connection"], r["raw_one_connection"]
    once = "yes" if r["exactly_once"] else "NO"
    return [
        f"### {r['scenario']} ({r['emails']} confirmation emails of {r['message_bytes']} bytes)",
        "| | emails/s | sink CPU (share of a core) |",
        "|---|---|---|",
        f"| one `innkeeper worker` (load, render, claim, send, mark) | {w['per_second']} "
        f"| {w['sink_busy']} |",
        f"| raw `smtplib`, one connection per message (as the worker) | {q['per_second']} "
        f"| {q['sink_busy']} |",
        f"| raw `smtplib`, one connection for all | {one['per_second']} | {one['sink_busy']} |",
        "",
        f"The worker reaches **{_f(x['worker_share_of_raw'])}** of the raw rate "
        f"({_f(x['worker_share_of_one_connection'])} of one connection); "
        f"{w['seconds_from_start']} s from starting the worker to the last email; the worker "
        f"used {w['cpu_ms_per_email']} ms of CPU per email (wall: "
        f"{_f(round(1000 / w['per_second'], 1) if w['per_second'] else None)} ms). "
        f"Every email exactly once: **{once}** ({d['received']} received, {d['missing']} "
        f"missing, {d['duplicates']} duplicates, {d['unexpected']} unexpected; jobs "
        f"{d['job_statuses']}). Double bookings after the run: "
        f"**{'none' if r['double_bookings_zero'] else 'FOUND'}**.",
        "",
    ]


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def _metrics(r: Result) -> list[str]:
    x, lc, bc = r["ratios"], r["liveness_cpu_us_per_request"], r["booking_cpu_us_per_request"]
    live, book = r["liveness_rps"], r["booking_attempts_per_second"]
    row = "| {} | {} | {} | {} | {} / {} | {} % | {} / {} | {} % |"
    return [
        f"### {r['scenario']} (Prometheus metrics on vs `METRICS_ENABLED=false`, "
        f"{r['rounds']} alternating rounds, medians)",
        "| | metrics on | metrics off | raw limit | ratio on / off | drop "
        "| server CPU us/request on / off | drop by CPU |",
        "|---|---|---|---|---|---|---|---|",
        row.format(
            "liveness, req/s", live["on"], live["off"],
            f"bare granian {r['bare_granian_rps']} ({r['bare_granian_cpu_us_per_request']} us)",
            _f(x["liveness"]["on"]), _f(x["liveness"]["off"]), _f(x["liveness"]["drop_percent"]),
            _median(lc["on"]), _median(lc["off"]), _f(x["liveness"]["cpu_drop_percent"]),
        ),
        row.format(
            "booking, random rooms, 8 clients, attempts/s", book["on"], book["off"],
            f"pgbench {r['booking_sql_attempts_per_second']}",
            _f(x["booking"]["on"]), _f(x["booking"]["off"]), _f(x["booking"]["drop_percent"]),
            _median(bc["on"]), _median(bc["off"]), _f(x["booking"]["cpu_drop_percent"]),
        ),
        "",
        "Issue 15's budget: the ratio may drop by at most 5 %. Double bookings after the run: "
        f"**{'none' if r['double_bookings_zero'] else 'FOUND'}**.",
        "",
    ]  # fmt: skip


def _summary_row(r: Result) -> str:
    """One line per scenario: innkeeper's figure, its tail latency, the raw limit, the ratio."""
    name, x = r["scenario"], r.get("ratios", {})
    if r.get("skipped"):
        return f"| {name} | skipped | | | |"
    if name == "metrics_cost":
        live, book = x["liveness"], x["booking"]
        return (
            f"| {name} (on / off) | liveness {_f(live['on'])} / {_f(live['off'])}, booking "
            f"{_f(book['on'])} / {_f(book['off'])} | | bare granian, pgbench | drop "
            f"{_f(live['drop_percent'])} % / {_f(book['drop_percent'])} % (by CPU "
            f"{_f(live.get('cpu_drop_percent'))} % / {_f(book.get('cpu_drop_percent'))} %) |"
        )
    if name.startswith("availability") and not name.endswith("sqlite"):
        h, h1, q = r["http_c8"], r["http_c1"], r["raw_sql_c8"]
        return f"| {name} | {h['per_second']} req/s | p95 {h1['p95_ms']} ms (1 client) | " + (
            f"{q['per_second']} q/s | {_f(x['http_rps_share_of_sql_tps_c8'])} |"
        )
    if name.endswith("sqlite"):
        s, q = r["selector"], r["raw_sql"]
        return f"| {name} | p50 {s['p50_ms']} ms | p95 {s['p95_ms']} ms | {q['p50_ms']} ms | " + (
            f"{_f(x['selector_p50_vs_sql_p50'])}x |"
        )
    if name.startswith("booking"):
        h, q = r["http"], r["raw_sql"]
        return (
            f"| {name} | {h['per_second']} attempts/s, {h['errors']} errors | p99 {h['p99_ms']} ms "
            f"| {q['per_second']} | {_f(x['http_attempts_share_of_sql'])} |"
        )
    if name.startswith("jobs"):
        w, q = r["worker"], r["raw_per_message_connection"]
        return f"| {name} | {w['per_second']} emails/s | | {q['per_second']} | " + (
            f"{_f(x['worker_share_of_raw'])} |"
        )
    h = r["http"]
    return (
        f"| {name} | {h['per_second']} req/s | p99 {h['p99_ms']} ms | bare granian "
        f"{r.get('bare_granian_rps')} (gunicorn {r['bare_gunicorn_rps']}) | "
        f"{_f(x.get('rps_share_of_bare_granian'))} ({_f(x['rps_share_of_bare_gunicorn'])}) |"
    )


def _summary(results: dict[str, Any]) -> list[str]:
    checked = [
        r["double_bookings_zero"] for r in results["scenarios"] if "double_bookings_zero" in r
    ]
    verdict = "none" if all(checked) else "FOUND"
    return [
        "| scenario | innkeeper | tail latency | raw limit | ratio |",
        "|---|---|---|---|---|",
        *(_summary_row(r) for r in results["scenarios"]),
        "",
        f"Double bookings (`innkeeper bookings verify`) after every run: **{verdict}** "
        f"({len(checked)} scenario runs checked).",
        "",
    ]


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"# innkeeper benchmark {results['started']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, load average at start "
        f"{', '.join(f'{v:.2f}' for v in m['load_average_at_start'])} (shared machine). "
        f"Size `{results['size']}`: {results['data']['rooms']} rooms in "
        f"{results['data']['properties']} properties, {results['data']['bookings']} bookings, "
        f"occupancy {results['data']['occupancy']}. Server: `innkeeper serve --workers "
        f"{results['server']['workers']} --threads {results['server']['threads']}`. "
        f"Took {results['seconds']} s.",
        "",
        *_summary(results),
    ]
    for r in results["scenarios"]:
        if r.get("skipped"):
            lines += [f"### {r['scenario']}", f"Skipped: {r['note']}", ""]
        elif r["scenario"].endswith("sqlite"):
            lines += _sqlite(r)
        elif r["scenario"].startswith("availability"):
            lines += _availability(r)
        elif r["scenario"].startswith("booking"):
            lines += _booking(r)
        elif r["scenario"].startswith("jobs"):
            lines += _jobs(r)
        elif r["scenario"] == "metrics_cost":
            lines += _metrics(r)
        else:
            lines += _health(r)
    return "\n".join(lines)


def write(results: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    stem = results["started"].replace(":", "")
    json_path = directory / f"{stem}.json"
    md_path = directory / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    md_path.write_text(markdown(results) + "\n")
    return json_path, md_path
