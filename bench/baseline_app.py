"""The baseline: a bare Flask app that answers every request with a fixed list body."""

from __future__ import annotations

from flask import Flask, Response

BODY = (
    '{"details":{"totalResult":"1","processedSequence":"267831",'
    '"viewTimestamp":"2026-07-10T09:01:02.641Z"},"result":["SECOND_FACTOR_TYPE_OTP"]}'
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "DELETE"])
    @app.route("/<path:path>", methods=["GET", "POST", "DELETE"])
    def fixed(path: str) -> Response:
        return Response(BODY, content_type="application/json")

    return app
