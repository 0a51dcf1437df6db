"""tools/ensure-system-packages.sh (run by `make test`): installs nothing when every tool is
there, and without root or sudo it fails saying exactly what to install."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.PROJECT_DIR) / "tools" / "ensure-system-packages.sh"


@pytest.fixture
def package_list() -> Iterator[Path]:
    # Not under pytest's tmp dir: that is private to root, and one test reads it as `nobody`.
    folder = Path(tempfile.mkdtemp(prefix="innkeeper-packages-"))
    folder.chmod(0o755)
    yield folder / "packages.txt"
    shutil.rmtree(folder, ignore_errors=True)


def run(package_list: Path, lines: str, as_user: list[str]) -> subprocess.CompletedProcess[str]:
    package_list.write_text(lines)
    package_list.chmod(0o644)
    # A copy beside the list: the checkout may sit in a folder `nobody` cannot read (mktemp -d).
    script = package_list.with_name(SCRIPT.name)
    shutil.copyfile(SCRIPT, script)
    script.chmod(0o755)
    env = {**os.environ, "SYSTEM_PACKAGES_LIST": str(package_list)}
    return subprocess.run(
        [*as_user, "bash", str(script)], env=env, capture_output=True, text=True, timeout=60
    )


def test_nothing_to_install_when_every_tool_is_there(package_list: Path) -> None:
    result = run(package_list, "# comment\n\nsh dash\n/bin/sh dash\n", [])
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_without_root_or_sudo_it_says_what_to_install(package_list: Path) -> None:
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "nobody", "--"]
    elif subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0:
        pytest.skip("this account has passwordless sudo: the script could install")
    else:
        as_user = []
    lines = "sh dash\n/nonexistent/innkeeper-probe innkeeper-probe-package\n"
    result = run(package_list, lines, as_user)
    assert result.returncode == 1
    assert "innkeeper-probe-package" in result.stdout
    assert "cannot install them: not root and no passwordless sudo." in result.stderr
    assert (
        "run: sudo apt-get install -y --no-install-recommends innkeeper-probe-package"
        in result.stderr
    )
