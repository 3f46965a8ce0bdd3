"""Serve the baseline on the same WSGI server, with the same settings, as the mock."""

from __future__ import annotations

import sys

from bench.baseline_app import create_app
from mockserver.server.serving import serve

if __name__ == "__main__":
    serve(create_app(), "127.0.0.1", int(sys.argv[1]), workers=int(sys.argv[2]), threads=8)
