"""The service fixtures start real servers that answer on loopback."""

from __future__ import annotations

import socket

from _services import Postgres, Redis


def test_postgres_cluster_answers_sql(pg_cluster: Postgres, pg_dsn: str) -> None:
    database = pg_dsn.rsplit("/", 1)[1]
    assert pg_cluster.psql("SELECT current_database(), 1 + 1", database).strip() == f"{database}|2"
    assert pg_cluster.psql("SHOW server_version_num").strip() >= "150000"


def test_redis_server_answers_ping(redis_server: Redis) -> None:
    with socket.create_connection(("127.0.0.1", redis_server.port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        assert sock.recv(16) == b"+PONG\r\n"
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
