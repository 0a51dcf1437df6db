"""README's layout (issue 11 §5): every app is described, and the URL/command map that takes
a newcomer to the owning code in one hop is the one the code produces today."""

from __future__ import annotations

import re

from django.apps import apps

from innkeeper.testing.layout_map import README, readme_section, render


def test_the_url_and_command_map_matches_the_code():
    table = render()
    assert "`POST /api/v1/bookings`" in table and "`innkeeper backup`" in table
    assert readme_section(README.read_text()) == table, (
        "README's map is stale: run .venv/bin/python -m innkeeper.testing.layout_map --write"
    )


def test_every_url_and_api_operation_reaches_a_service_or_is_plain_rendering():
    """A write endpoint that calls no service would be logic in a view."""
    rows = [line.split(" | ") for line in render().splitlines()[2:]]
    writes_without_owner = [
        row[0]
        for row in rows
        if re.match(r"\| `(POST|PATCH|PUT|DELETE) ", row[0]) and row[2] == "— |"
    ]
    assert writes_without_owner == []


def test_every_app_is_described_and_nothing_links_outside_the_repository():
    text = README.read_text()
    apps_table = text[text.index("### Apps") : text.index("### Layers")]
    ours = [
        c.name.removeprefix("innkeeper.")
        for c in apps.get_app_configs()
        if c.name.startswith("innkeeper.")
    ]
    assert ours and [name for name in ours if f"| `{name}` |" not in apps_table] == []
    assert re.findall(r"\]\(\.\./[^)]*\)|\.\./(?:shared|\.library)\b", text) == []
