"""A throwaway PostgreSQL cluster, for the store tests (``tests/conftest.py``) and the benchmarks
(``bench/postgis.py``): initdb in a temporary directory, a free port, gone when stopped. As root
the server runs as the ``postgres`` user, because initdb refuses to run as root."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def pg_bin() -> Path | None:
    """The newest PostgreSQL server's bin directory (Debian's layout first), if any."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    found = candidates[0] if candidates else shutil.which("pg_ctl")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary directory; ``stop`` removes it."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="observatory-pg-"))
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:  # initdb refuses to run as root
            shutil.chown(self.dir, "postgres", "postgres")

    def _cmd(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run(prefix + list(args), check=True, capture_output=True, text=True)

    def start(self) -> str:
        """Start the server; its admin URL (user postgres, trusted)."""
        data = self.dir / "data"
        self._cmd(str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres",
                  "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._cmd(str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options,
                  "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
                      "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
