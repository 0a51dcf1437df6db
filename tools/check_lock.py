"""Fail when pyproject.toml's dependencies (runtime and [dev]) are not all pinned, at a version
they allow, in the hashed lock files; the fix is always `make lock`."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version
except ImportError:  # a fresh venv, before the first install: pip carries its own copy
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def pins(lock: Path) -> dict[str, Version]:
    if not lock.exists():
        return {}
    return {canonicalize_name(n): Version(v) for n, v in PIN.findall(lock.read_text())}


def problems(requirements: list[str], pinned: dict[str, Version], lock: str) -> list[str]:
    found = []
    for line in requirements:
        req = Requirement(line)
        version = pinned.get(canonicalize_name(req.name))
        if version is None:
            found.append(f"{req.name} is not in {lock}")
        elif not req.specifier.contains(version, prereleases=True):
            found.append(f"{req.name}: {lock} pins {version}, pyproject wants {req.specifier}")
    return found


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = project["dependencies"]
    dev = project.get("optional-dependencies", {}).get("dev", [])
    found = problems(runtime, pins(ROOT / "requirements/lock.txt"), "requirements/lock.txt")
    found += problems(
        runtime + dev, pins(ROOT / "requirements/dev-lock.txt"), "requirements/dev-lock.txt"
    )
    if found:
        print("The lock files are out of date with pyproject.toml:", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        print("Run `make lock` and commit requirements/.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
