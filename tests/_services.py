"""Real services for tests: a throwaway PostgreSQL cluster and a redis-server on loopback.

Both are started for real (no mocks) and stopped at the end of the session. PostgreSQL's
``initdb`` refuses to run as root, so when the tests run as root (CI) the cluster is created
and started as the ``postgres`` user with ``runuser``. Tests that need a service skip with a
clear reason only when its binaries are absent; CI (``.ci/run``) installs both.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG_PASSWORD = "aiinfra-test-" + uuid.uuid4().hex[:12]
PG_USER = "postgres"


@dataclass(frozen=True)
class Postgres:
    """A running cluster: connect with ``dsn(database)``; ``stop``/``start`` simulate an outage."""

    bindir: Path
    datadir: Path
    port: int
    password: str

    def dsn(self, database: str = "postgres", *, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{PG_USER}:{secret}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        _as_postgres(
            [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]
        )

    def start(self) -> None:
        log = self.datadir.parent / "server.log"
        _as_postgres(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(log),
                "-w",
                "-t",
                "120",
                "start",
            ]
        )

    def create_database(self) -> str:
        """A fresh, empty database in the cluster; returns its DSN."""
        name = "t_" + uuid.uuid4().hex[:16]
        self.psql(f"CREATE DATABASE {name}")
        return self.dsn(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with the real ``psql`` client; return its unaligned output."""
        env = dict(os.environ, PGPASSWORD=self.password)
        done = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                PG_USER,
                "-d",
                database,
                "-c",
                sql,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return done.stdout


@dataclass(frozen=True)
class Redis:
    """A running redis-server on loopback."""

    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def postgres_bindir() -> Path | None:
    """The directory holding initdb/pg_ctl (PostgreSQL 15 preferred), or None when absent."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    preferred = [c for c in candidates if "/15/" in c] + candidates
    for found in preferred:
        if (Path(found) / "initdb").exists():
            return Path(found)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(argv: list[str]) -> None:
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    # Generous: on a shared, loaded machine initdb alone can take a minute.
    subprocess.run(argv, check=True, capture_output=True, timeout=300)


def _private_dir(prefix: str) -> Path:
    """A tmp dir the postgres user owns (pytest's tmp dirs are private to root)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
    return root


_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{root}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 64MB
"""


def _initdb(bindir: Path, datadir: Path, pwfile: Path) -> None:
    try:
        _as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                PG_USER,
                "--pwfile",
                str(pwfile),
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ]
        )
    finally:
        pwfile.unlink(missing_ok=True)


def start_postgres(bindir: Path) -> tuple[Postgres, Path]:
    """initdb + pg_ctl start a cluster in a fresh tmp dir; returns it and the dir to remove."""
    root = _private_dir("aiinfra-pg-")
    datadir = root / "data"
    pwfile = root / "pw"
    pwfile.write_text(PG_PASSWORD + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(pwfile, user="postgres", group="postgres")
    try:
        _initdb(bindir, datadir, pwfile)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    port = free_port()
    with (datadir / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(_SETTINGS.format(port=port, root=root))
    cluster = Postgres(bindir=bindir, datadir=datadir, port=port, password=PG_PASSWORD)
    try:
        cluster.start()
    except BaseException:
        stop_postgres(cluster, root)
        raise
    return cluster, root


def stop_postgres(cluster: Postgres, root: Path) -> None:
    with contextlib.suppress(subprocess.SubprocessError):
        cluster.stop()
    shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def running_postgres() -> Iterator[Postgres | None]:
    """A cluster for the duration of the block, or None when PostgreSQL is not installed."""
    bindir = postgres_bindir()
    if bindir is None:
        yield None
        return
    cluster, root = start_postgres(bindir)
    try:
        yield cluster
    finally:
        stop_postgres(cluster, root)


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def running_redis() -> Iterator[Redis | None]:
    """A redis-server (no persistence) for the duration of the block, or None when absent."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _redis_ping(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.02)
        yield Redis(port=port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
