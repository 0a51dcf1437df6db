"""What every scenario gets: the database, the sizes, the generated data and the server URL."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from typing import Any

from bench.config import VENV_BIN, Sizes
from bench.dbsetup import bench_env
from bench.generate import Dataset, midnight_epoch

Result = dict[str, Any]


@dataclass
class Context:
    db_name: str
    sizes: Sizes
    data: Dataset
    base_url: str
    workers: int
    threads: int

    @property
    def today_epoch(self) -> str:
        return str(midnight_epoch(self.data.today))

    def innkeeper(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [str(VENV_BIN / "innkeeper"), *args],
            env=bench_env(self.db_name),
            capture_output=True,
            text=True,
            check=False,
        )

    def verify_no_double_bookings(self) -> bool:
        """`innkeeper bookings verify`: exit 0 means no overlapping active bookings."""
        return self.innkeeper("bookings", "verify").returncode == 0
