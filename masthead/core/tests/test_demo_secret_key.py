"""The demo's secret key, made on first start and shared by every process after."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRINT_KEY = "from masthead import settings; print(settings.SECRET_KEY)"


def test_processes_starting_at_once_all_get_the_same_whole_key(tmp_path):
    """Two test passes side by side once met a key file another process had only
    just created, still empty, and ran with an empty SECRET_KEY."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "MASTHEAD_MODE")}
    env.update(MASTHEAD_VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", PRINT_KEY],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(12)
    ]
    keys = {process.communicate(timeout=120)[0].strip() for process in starts}
    assert len(keys) == 1
    (key,) = keys
    assert len(key) >= 50
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
