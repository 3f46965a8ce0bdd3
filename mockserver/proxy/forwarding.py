"""Send a request on to the target as it came, and bring the target's answer back as it went.

Only what a proxy must change is changed: `Host` names the target (ZITADEL picks the instance by
its host name), and hop-by-hop headers (`Connection`, `Transfer-Encoding`, ...) stay on their
hop. urllib3 adds nothing of its own (no `User-Agent`, no `Accept-Encoding`), bodies travel as
bytes in both directions (compressed or not), redirects are passed back rather than followed,
and nothing is retried: a frontend behind the proxy sees what it would see without it. TLS to
the target is verified (the system's certificates, or `ca_file`) unless turned off.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, SSLError
from urllib3.exceptions import TimeoutError as TooSlow
from urllib3.util import SKIP_HEADER

from mockserver.errors import ProxyError

# RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class TargetUnreachable(ProxyError):
    """No answer came from the target: refused, unresolvable, a TLS failure, or too slow."""

    def __init__(self, reason: str, *, timed_out: bool = False) -> None:
        self.reason = reason
        self.timed_out = timed_out
        super().__init__(reason)


@dataclass(frozen=True)
class Target:
    """Where requests go: scheme, host, port and a path prefix (credentials in the URL refused)."""

    scheme: str
    host: str
    port: int | None
    base_path: str

    @classmethod
    def parse(cls, url: str) -> Target:
        """The target `url` names; ProxyError for anything but an http(s) URL with a host."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise ProxyError(f"--target {url!r} is not a URL: {error}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProxyError(f"--target must be an http:// or https:// URL with a host, not {url!r}")
        if parts.username or parts.password:
            raise ProxyError("--target must not carry credentials: the proxy forwards the caller's own")
        if parts.query or parts.fragment:
            raise ProxyError(f"--target must not have a query or fragment: {url!r}")
        return cls(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))

    @property
    def host_header(self) -> str:
        """`Host` as the target expects it (the port only when it is not the scheme's default)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = {"http": 80, "https": 443}[self.scheme]
        return host if self.port in (None, default) else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host_header}{self.base_path}"


@dataclass(frozen=True)
class Forwarded:
    """The target's answer, untouched: status, headers in order (repeats kept), body bytes."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


class Forwarder:
    """A pool of connections to the target, shared by the proxy's threads."""

    def __init__(
        self,
        target: Target,
        *,
        timeout: float = 30.0,
        verify: bool = True,
        ca_file: str | None = None,
        connections: int = 8,
    ) -> None:
        self.target = target
        self._pool = urllib3.PoolManager(
            maxsize=connections,
            block=False,
            retries=False,
            timeout=urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
            cert_reqs=ssl.CERT_REQUIRED if verify else ssl.CERT_NONE,  # https only: urllib3 drops it for http
            ca_certs=ca_file,
        )

    def send(
        self, method: str, path_and_query: str, headers: Iterable[tuple[str, str]], body: bytes | None
    ) -> Forwarded:
        """The target's answer to this request; TargetUnreachable when none comes."""
        outgoing = forwarded_headers(headers)
        names = {name.lower() for name in outgoing}
        outgoing["Host"] = self.target.host_header
        for name in ("User-Agent", "Accept-Encoding"):  # urllib3 would add its own
            if name.lower() not in names:
                outgoing[name] = SKIP_HEADER
        try:
            response = self._pool.urlopen(
                method,
                self.target.url + path_and_query,
                body=body,
                headers=outgoing,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                assert_same_host=False,
            )
            try:
                data = response.read(decode_content=False)
            finally:
                response.release_conn()
        except NewConnectionError as error:  # urllib3 makes it a timeout too: refused is not slow
            raise TargetUnreachable(f"cannot reach {self.target.url}: {_first_line(error)}") from None
        except TooSlow as error:
            raise TargetUnreachable(f"{self.target.url} did not answer in time: {error}", timed_out=True) from None
        except SSLError as error:
            raise TargetUnreachable(f"TLS with {self.target.url} failed: {_first_line(error)}") from None
        except (HTTPError, OSError) as error:
            raise TargetUnreachable(f"cannot reach {self.target.url}: {_first_line(error)}") from None
        return Forwarded(response.status, list(response.headers.items()), data)


def forwarded_headers(headers: Iterable[tuple[str, str]]) -> urllib3.HTTPHeaderDict:
    """The request's headers without `Host` and the hop-by-hop ones (and any `Connection` names)."""
    pairs = list(headers)
    named = {
        token.strip().lower() for name, value in pairs if name.lower() == "connection" for token in value.split(",")
    }
    dropped = HOP_BY_HOP | named | {"host"}
    kept = urllib3.HTTPHeaderDict()
    for name, value in pairs:
        if name.lower() not in dropped:
            kept.add(name, value)
    return kept


def answer_headers(forwarded: Forwarded) -> list[tuple[str, str]]:
    """The target's answer headers to pass on: all but hop-by-hop ones and `Content-Length`
    (the proxy's server writes it again for the same body)."""
    named = {
        token.strip().lower()
        for name, value in forwarded.headers
        if name.lower() == "connection"
        for token in value.split(",")
    }
    dropped = HOP_BY_HOP | named | {"content-length"}
    return [(name, value) for name, value in forwarded.headers if name.lower() not in dropped]


def _first_line(error: BaseException) -> str:
    """urllib3's reason without its own preamble (`HTTPConnection(...): Failed to establish ...`)."""
    reason = str(getattr(error, "reason", None) or error).split("\n")[0]
    return reason.rsplit("Failed to establish a new connection: ", 1)[-1][:300]
