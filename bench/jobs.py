"""Jobs: emails per second by one worker. The job system is built on another branch; this
scenario reports itself skipped until `innkeeper worker` exists."""

from __future__ import annotations

from bench.context import Context, Result


def run(ctx: Context) -> list[Result]:
    probe = ctx.innkeeper("help", "worker")
    if probe.returncode != 0:
        return [
            {
                "scenario": "jobs_email",
                "skipped": True,
                "note": "`innkeeper worker` does not exist on this branch yet (job system is "
                "built on another branch); nothing to measure.",
            }
        ]
    return [
        {
            "scenario": "jobs_email",
            "skipped": True,
            "note": "`innkeeper worker` exists but this benchmark has no email job to drive yet.",
        }
    ]
