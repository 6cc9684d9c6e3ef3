"""Ray clusters the tests start the way users do (`ray start`), and stop without touching any other Ray on
the machine: `ray stop` would end every Ray process of the machine, a developer's own cluster included.

Each `ray start` runs in a new session, so the daemons it leaves behind share its process group; stopping a
node signals that group (and any descendant that left it), never a process found by name.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

RAY = shutil.which("ray") or str(Path(sys.executable).parent / "ray")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RayNode:
    """One `ray start` (head or worker) and the process group it left running."""

    pgid: int
    temp_dir: str | None = None
    address: str = ""
    dashboard: str = ""

    def processes(self) -> list[psutil.Process]:
        found = {}
        for proc in psutil.process_iter(["pid"]):
            try:
                if os.getpgid(proc.pid) == self.pgid:
                    found[proc.pid] = proc
            except (ProcessLookupError, PermissionError):
                continue
        for proc in list(found.values()):  # workers that moved to a group of their own
            try:
                found.update({child.pid: child for child in proc.children(recursive=True)})
            except psutil.NoSuchProcess:
                continue
        return [p for p in found.values() if _alive(p)]

    def alive(self) -> bool:
        return bool(self.processes())

    def stop(self, timeout: float = 15.0) -> None:
        procs = self.processes()
        for proc in procs:
            _signal(proc, signal.SIGTERM)
        gone, alive = psutil.wait_procs(procs, timeout=timeout)
        for proc in alive:
            _signal(proc, signal.SIGKILL)
        psutil.wait_procs(alive, timeout=5)
        if self.temp_dir:
            shutil.rmtree(self.temp_dir, ignore_errors=True)


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _signal(proc: psutil.Process, sig: int) -> None:
    try:
        proc.send_signal(sig)
    except psutil.NoSuchProcess:
        pass


def _ray_start(args: list[str], env: dict | None = None) -> int:
    """Runs `ray start ...` in a session of its own; returns that session's process group id."""
    proc = subprocess.Popen([RAY, "start", *args, "--disable-usage-stats"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    out, err = proc.communicate(timeout=300)
    if proc.returncode != 0:
        RayNode(proc.pid).stop()
        raise RuntimeError(f"ray start failed ({proc.returncode}): {err[-2000:] or out[-2000:]}")
    return proc.pid


def start_head(num_cpus: int, dashboard: bool = False, env: dict | None = None, attempts: int = 3) -> RayNode:
    """A head node on free ports, in a temp dir of its own (so `ray.init()` defaults do not find it).

    A port found free can be taken before Ray binds it (another cluster's workers pick ports too: CI saw the GCS
    fail with "Address already in use"), so a failed start is tried again on new ports, `attempts` times."""
    for attempt in range(attempts):
        temp_dir = tempfile.mkdtemp(prefix="hrb-ray-", dir="/tmp")  # short: Ray's socket paths have a length limit
        port, dash = free_port(), free_port()
        args = ["--head", f"--port={port}", f"--num-cpus={num_cpus}", f"--temp-dir={temp_dir}",
                f"--ray-client-server-port={free_port()}", f"--dashboard-agent-listen-port={free_port()}",
                f"--include-dashboard={'true' if dashboard else 'false'}"]
        if dashboard:
            args.append(f"--dashboard-port={dash}")
        try:
            pgid = _ray_start(args, env)
        except RuntimeError:
            shutil.rmtree(temp_dir, ignore_errors=True)
            if attempt == attempts - 1:
                raise
            continue
        return RayNode(pgid, temp_dir, f"127.0.0.1:{port}", f"http://127.0.0.1:{dash}" if dashboard else "")
    raise ValueError(f"attempts must be at least 1, got {attempts}")


def start_worker(head: RayNode, num_cpus: int, env: dict | None = None) -> RayNode:
    """A second node joining `head` on the same machine, with CPUs of its own."""
    pgid = _ray_start([f"--address={head.address}", f"--num-cpus={num_cpus}",
                       f"--dashboard-agent-listen-port={free_port()}"], env)
    return RayNode(pgid, None, head.address)
