"""The HTTP side: the Flask app, the request handling, the control API, serving with gunicorn."""
