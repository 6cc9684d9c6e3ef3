"""The tests' cluster teardown stops only what the tests started: a developer's own Ray keeps running."""

from __future__ import annotations

import subprocess

from haremb_dev.raycluster import RAY, start_head


def test_stopping_a_test_cluster_leaves_another_cluster_running():
    developers = start_head(num_cpus=1)
    try:
        ours = start_head(num_cpus=1)
        assert ours.alive() and ours.pgid != developers.pgid
        ours.stop()
        assert not ours.alive()
        assert developers.alive()
        status = subprocess.run([RAY, "status", f"--address={developers.address}"], capture_output=True, text=True,
                                timeout=120)
        assert status.returncode == 0 and "Active:" in status.stdout, status.stderr[-1000:]
    finally:
        developers.stop()
    assert not developers.alive()
