"""`python -m cobranza` runs the same command line as the `cobranza` script."""

from __future__ import annotations

import subprocess
import sys


def test_module_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cobranza", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "import" in result.stdout
    assert "nlu" in result.stdout
