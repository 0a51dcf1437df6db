"""README's "Where each URL and command lives": from any URL or CLI command to the module that
handles it and the services, selectors and flows it calls, in one hop.

Generated from the code (the URL resolver, the Ninja routers, the management commands) so it
cannot drift: `python -m innkeeper.testing.layout_map --write` rewrites the README section,
and a test fails when the README and the code disagree.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import os
import pkgutil
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[3] / "README.md"
BEGIN = "<!-- layout-map:begin (python -m innkeeper.testing.layout_map --write) -->"
END = "<!-- layout-map:end -->"
# Modules that parse, render and call: what the map points *from*, never *to*.
INTERFACE_PARTS = {"api", "admin", "views", "urls", "management", "web", "forms", "cli"}
SKIPPED_PREFIXES = ("admin/", "api/v1/")  # the admin: each app's admin.py; the API: below


def _is_owner(module: str) -> bool:
    parts = module.split(".")
    if parts[0] != "innkeeper" or len(parts) < 3 or parts[-1] == "models":
        return False
    return not (INTERFACE_PARTS & set(parts[1:])) and parts[1] not in {"core", "testing"}


def _is_behaviour(target: Any) -> bool:
    """Functions and service classes; not exceptions (caught, not called for behaviour)."""
    return callable(target) and not (inspect.isclass(target) and issubclass(target, BaseException))


def _called_names(func: Callable[..., Any]) -> set[str]:
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return set()
    names: set[str] = set()
    tree = ast.parse(source)
    definition = tree.body[0]
    if isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
        definition.decorator_list = []  # `auth=bearer` in a route decorator is not a call
    for node in ast.walk(tree):
        if isinstance(node, ast.Call | ast.Attribute | ast.Name):
            target = node.func if isinstance(node, ast.Call) else node
            if isinstance(target, ast.Name):
                names.add(target.id)
            elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                names.add(f"{target.value.id}.{target.attr}")
    return names


def _resolve(namespace: dict[str, Any], dotted: str) -> Any:
    head, _, attr = dotted.partition(".")
    found = namespace.get(head)
    return getattr(found, attr, None) if attr and found is not None else found


def owners_of(func: Callable[..., Any], depth: int = 2) -> set[str]:
    """The services/selectors/flows `func` calls, following helpers of its own module."""
    func = inspect.unwrap(func)
    module = sys.modules.get(getattr(func, "__module__", ""), None)
    if module is None:
        return set()
    found: set[str] = set()
    for name in _called_names(func):
        target = _resolve(vars(module), name)
        target_module = str(getattr(target, "__module__", None) or "")
        if inspect.ismodule(target):
            continue  # `selectors.room_get` resolves through its attribute, the next name
        if _is_behaviour(target) and _is_owner(target_module):
            found.add(f"{target_module}.{getattr(target, '__name__', name)}")
        elif depth and inspect.isfunction(target) and target_module == module.__name__:
            found |= owners_of(target, depth - 1)
        elif depth and inspect.isclass(target) and target_module == module.__name__:
            for method in vars(target).values():
                if inspect.isfunction(method):
                    found |= owners_of(method, depth - 1)
    return found


def _view_functions(callback: Any) -> list[Callable[..., Any]]:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return [m for m in vars(view_class).values() if inspect.isfunction(m)]
    return [callback]


def _django_routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            yield from _django_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield "/" + route.lstrip("^").rstrip("$"), entry.callback


def _api_routes() -> Iterator[tuple[str, Any]]:
    from innkeeper.api import api

    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                methods = ",".join(operation.methods)
                yield f"{methods} /api/v1{prefix}{path}", operation.view_func


def _commands() -> Iterator[tuple[str, Any]]:
    import innkeeper

    for info in pkgutil.walk_packages(innkeeper.__path__, "innkeeper."):
        if ".management.commands." in info.name and ".tests" not in info.name:
            module = importlib.import_module(info.name)
            command = getattr(module, "Command", None)
            if command is not None:
                yield f"innkeeper {info.name.rsplit('.', 1)[1]}", command


def _row(what: str, handler: Any, functions: Sequence[Callable[..., Any]]) -> str:
    where = f"{handler.__module__}.{handler.__qualname__}".removeprefix("innkeeper.")
    owners: set[str] = set()
    for function in functions:
        owners |= owners_of(function)
    called = ", ".join(f"`{o.removeprefix('innkeeper.')}`" for o in sorted(owners)) or "—"
    return f"| `{what}` | `{where}` | {called} |"


def render() -> str:
    from django.urls import get_resolver

    lines = [
        "| URL or command | handled in | calls (services, selectors, flows) |",
        "|---|---|---|",
    ]
    for route, callback in _django_routes(get_resolver().url_patterns):
        handler = getattr(callback, "view_class", callback)
        lines.append(_row(route, handler, _view_functions(callback)))
    for route, view in _api_routes():
        lines.append(_row(route, view, [view]))
    for name, command in sorted(_commands(), key=lambda item: item[0]):
        methods = [m for m in vars(command).values() if inspect.isfunction(m)]
        lines.append(_row(name, command, methods))
    return "\n".join(lines)


def _section_bounds(text: str) -> tuple[int, int]:
    return text.index(BEGIN) + len(BEGIN), text.index(END)


def readme_section(text: str) -> str:
    start, end = _section_bounds(text)
    return text[start:end].strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite README.md's section")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innkeeper.settings")
    import django

    django.setup()
    table = render()
    if not args.write:
        print(table)
        return 0
    text = README.read_text()
    start, end = _section_bounds(text)
    README.write_text(f"{text[:start]}\n{table}\n{text[end:]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
