"""`interview-server`: run the server, migrate the database, check the configuration.

interview-server run [--host H] [--port P] [--no-migrate]
interview-server migrate [--revision head] [--downgrade REV]
interview-server check-config
interview-server protocol-schema      # the WebSocket protocol's JSON Schema, on stdout
"""

from __future__ import annotations

import argparse
import os
import sys

# Before numpy is loaded (server.settings imports it): one BLAS/OpenMP thread. The decodes run
# in their own pool threads, and numpy's OpenBLAS kept a second thread spinning after each of
# the feature extractor's small matrix products: 1.9 s of CPU in 63 s of one live stream (15 %
# of the server's CPU), measured per thread from /proc. An explicit setting still wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from server.settings import Settings, SettingsError, node_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="interview-server", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="migrate the database to head, then serve HTTP and WebSockets")
    run.add_argument("--host", help="bind address (default: HOST or 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default: PORT or 8000)")
    run.add_argument("--no-migrate", action="store_true", help="do not run migrations first")
    migrate_cmd = commands.add_parser("migrate", help="apply database migrations")
    migrate_cmd.add_argument("--revision", default="head")
    migrate_cmd.add_argument("--downgrade", metavar="REV", help="downgrade to REV instead (e.g. base)")
    commands.add_parser("check-config", help="print the effective settings (secrets hidden) and exit")
    commands.add_parser(
        "protocol-schema", help="print the WebSocket protocol's JSON Schema (docs/protocol.schema.json)"
    )
    args = parser.parse_args(argv)
    if args.command == "protocol-schema":  # needs no settings: the document is the code's
        from server.live.protocol_schema import protocol_schema_json

        sys.stdout.write(protocol_schema_json())
        return 0

    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    from server.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format, node_name(settings))

    from server import migrate

    if args.command == "migrate":
        if args.downgrade:
            migrate.downgrade(settings.database.url, args.downgrade)
        else:
            migrate.upgrade(settings.database.url, args.revision)
        return 0
    if args.command == "check-config":
        print(_describe(settings))
        return 0

    if not args.no_migrate:
        migrate.upgrade(settings.database.url)
    from server.app import create_app
    from server.serve import run

    run(
        create_app(settings),
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level,
        grace_s=settings.cluster.shutdown_grace_s,
        trusted_proxies=settings.trusted_proxies,
    )
    return 0


def _describe(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    redis = make_url(settings.redis_url).render_as_string(hide_password=True) if settings.redis_url else None
    lines = [
        f"database: {make_url(settings.database.url).render_as_string(hide_password=True)}",
        f"redis: {redis or '(in-process pub/sub)'}",
        f"data dir: {settings.data_dir}",
        f"audio dir: {settings.audio_dir}",
        f"node: {node_name(settings)}",
        f"listen: {settings.host}:{settings.port}",
        f"trusted proxies: {', '.join(settings.trusted_proxies) or '(none: the peer is the client)'}",
        f"jwt secret: {'set' if settings.auth.jwt_secret else 'generated, kept in the data dir'}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
