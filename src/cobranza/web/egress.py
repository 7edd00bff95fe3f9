"""Keep outgoing webhooks away from this server's own network.

A webhook URL is typed by an API user, and the delivery worker posts signed
bodies to it from inside the server's network. Without a check, a URL such
as http://169.254.169.254/latest/meta-data/ or http://127.0.0.1:5432/ turns
the worker into a proxy for requests to the cloud metadata service, the
database or anything else on the machine or the LAN (server-side request
forgery).

`EgressPolicy.check_url` runs when an endpoint is created: only http and
https, and the host must not be, or resolve to, a loopback, private,
link-local, multicast, reserved or unspecified address. `GuardedTransport`
runs the same check at delivery. It resolves the name once, checks every
address and connects to a checked one. So a name that resolved to a public
address at creation and to 127.0.0.1 later (DNS rebinding) is still
rejected. The webhook client does not follow redirects.

COBRANZA_WEBHOOKS_ALLOW_PRIVATE=true allows loopback and private addresses,
for an n8n on the same machine or LAN, but never the link-local range
(169.254.0.0/16, fe80::/10) nor the known cloud metadata addresses.

`getaddrinfo` blocks and cannot be cancelled, so both checks run it in
`LOOKUPS`, a few threads of their own, and wait at most
`RESOLVE_TIMEOUT_SECONDS`. A lookup that timed out keeps its thread until
the resolver gives up. Were the lookups in anyio's shared thread pool, a
slow DNS server could take every thread that sync routes need. When every
lookup thread is busy, a new check fails at once, so the API responds 503
and the delivery is retried later.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio
import httpx

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
T = TypeVar("T")

ALLOW_PRIVATE_SETTING = "COBRANZA_WEBHOOKS_ALLOW_PRIVATE"
SCHEMES = {"http": 80, "https": 443}
# How long creating an endpoint waits for its name's addresses. Without a
# resolv.conf `options` line, glibc waits 5 seconds for a server and tries
# twice (RES_TIMEOUT and RES_DFLRETRY in resolv.h), so one unreachable
# server alone costs 10 seconds.
RESOLVE_TIMEOUT_SECONDS = 5.0
# Threads for webhook name lookups, shared by the API and the delivery
# worker. A stuck lookup keeps its thread for up to the resolver's own
# timeout, so a dead DNS server costs at most this many threads. The number
# is a chosen bound, not a measured one.
LOOKUP_WORKERS = 4

# Never a webhook target, whatever the setting: link-local (the cloud
# metadata service lives at 169.254.169.254) and the metadata addresses of
# clouds that put it elsewhere (Alibaba; AWS over IPv6).
ALWAYS_BLOCKED = tuple(
    ipaddress.ip_network(network)
    for network in (
        "169.254.0.0/16",
        "fe80::/10",
        "100.100.100.200/32",
        "fd00:ec2::254/128",
    )
)
# NAT64 well-known prefix: the last 32 bits are an IPv4 address.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


class BlockedURL(ValueError):
    """A webhook URL this server must not post to, with the reason."""


class LookupTimedOut(Exception):
    """A webhook URL's name did not resolve in time; trying later may help."""


class LookupPoolFull(LookupTimedOut):
    """Every lookup thread is busy, so the lookup did not start."""


class LookupPool:
    """A fixed number of threads for name lookups that rejects work beyond them.

    A slot is taken when a lookup is submitted and freed when it returns,
    not when its caller stops waiting, so stuck lookups fill the pool
    instead of queueing more work behind them.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="dns-lookup")
        self._lock = threading.Lock()
        self._busy = 0

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """Start `function(*args)` in a thread, or raise LookupPoolFull."""
        with self._lock:
            if self._busy >= self.workers:
                raise LookupPoolFull(f"all {self.workers} lookup threads are busy")
            self._busy += 1
        try:
            future = self._executor.submit(function, *args)
        except RuntimeError:
            self._release(None)
            raise
        future.add_done_callback(self._release)
        return future

    def _release(self, future: Future[Any] | None) -> None:
        with self._lock:
            self._busy -= 1


LOOKUPS = LookupPool(LOOKUP_WORKERS)


def resolve_host(host: str, port: int) -> list[str]:
    """Return the addresses the system resolver gives for `host`."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def literal_address(host: str) -> IPAddress | None:
    """Return the address a host written as a number stands for, if it is one.

    Besides 127.0.0.1 and [::1], the C library reads 2130706433, 0x7f000001,
    0177.0.0.1 and 127.1 as 127.0.0.1 too, so those forms count as addresses.
    """
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def _embedded(address: IPAddress) -> IPAddress:
    """Return the IPv4 address inside an IPv4-mapped, 6to4 or NAT64 one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_problem(address: IPAddress, allow_private: bool) -> str | None:
    """Return why `address` is not a webhook target, or None when it is.

    An IPv6 address that carries an IPv4 one is judged by the IPv4 address,
    the host it reaches.
    """
    address = _embedded(address)
    if any(address in network for network in ALWAYS_BLOCKED):
        return "es link-local o de un servicio de metadatos de la nube"
    if address.is_multicast:
        return "es multicast"
    if address.is_unspecified or address in THIS_NETWORK:
        return "no indica un equipo"
    if address.is_loopback:
        return None if allow_private else "es de este mismo equipo (loopback)"
    if address.is_reserved:
        return "está reservada"
    if allow_private or (address.is_global and not address.is_private):
        return None
    return "es de una red privada"


@dataclass(frozen=True)
class EgressPolicy:
    """Policy for the hosts that webhook posts may reach, with its name resolver."""

    allow_private: bool = False
    resolve: Resolver = field(default=resolve_host)

    def _blocked(self, url: str, reason: str) -> BlockedURL:
        fix = "Usá una URL pública de tu receptor (Zapier, Make, n8n)"
        if not self.allow_private:
            fix += (
                " o, si tu n8n corre en este equipo o en tu red local, definí "
                f"{ALLOW_PRIVATE_SETTING}=true"
            )
        return BlockedURL(
            f"La URL de webhook {url!r} no está permitida: {reason}. {fix}."
        )

    def addresses(self, url: str, host: str, port: int) -> list[IPAddress]:
        """Resolve `host` once and return its addresses, all of them allowed.

        Raise BlockedURL when the name does not resolve or any address is
        not allowed: one bad address is enough, since the connection may
        pick any of them.
        """
        literal = literal_address(host)
        if literal is not None:
            found: list[IPAddress] = [literal]
        else:
            try:
                found = [
                    ipaddress.ip_address(a.split("%")[0])
                    for a in self.resolve(host, port)
                ]
            except (OSError, UnicodeError, ValueError) as exc:
                logger.info("webhook host %r did not resolve: %s", host, exc)
                found = []
            if not found:
                raise BlockedURL(
                    f"La URL de webhook {url!r} no se puede usar: el nombre "
                    f"{host!r} no se pudo resolver. Revisá que esté bien escrito y "
                    "que el receptor esté publicado."
                )
        for address in found:
            problem = address_problem(address, self.allow_private)
            if problem is not None:
                host_text = host if host == str(address) else f"{host} ({address})"
                raise self._blocked(url, f"la dirección {host_text} {problem}")
        return found

    def pinned(self, addresses: list[IPAddress]) -> EgressPolicy:
        """Return this policy with a resolver that returns `addresses`.

        A URL checked once in `check_url_in_thread` is checked again, for
        example by `create_webhook`, without a second lookup.
        """
        found = [str(address) for address in addresses]
        return replace(self, resolve=lambda host, port: found)

    def check_url(self, url: str) -> list[IPAddress]:
        """Raise BlockedURL unless `url` is http(s) to an allowed host."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise BlockedURL(
                f"URL de webhook inválida {url!r} ({exc}): usá una URL http(s) "
                "como https://hooks.zapier.com/hooks/catch/123/abc/"
            ) from exc
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES or not parts.hostname:
            raise BlockedURL(
                f"URL de webhook inválida {url!r}: usá una URL http(s) como "
                "https://hooks.zapier.com/hooks/catch/123/abc/"
            )
        return self.addresses(url, parts.hostname, port or SCHEMES[scheme])


async def check_url_in_thread(
    policy: EgressPolicy,
    url: str,
    timeout: float = RESOLVE_TIMEOUT_SECONDS,
    pool: LookupPool | None = None,
) -> list[IPAddress]:
    """Run `policy.check_url` in a lookup thread, waiting at most `timeout` seconds.

    Raise BlockedURL as `check_url` does, LookupTimedOut, naming the host,
    when the lookup takes longer, and LookupPoolFull when every thread of
    `pool` (by default `LOOKUPS`) is busy. A lookup that timed out finishes
    in its thread, and its result is dropped.
    """
    pool = pool or LOOKUPS
    try:
        future = pool.submit(policy.check_url, url)
    except LookupPoolFull as exc:
        logger.warning("webhook check rejected: %s", exc)
        raise LookupPoolFull(
            f"La URL de webhook {url!r} no se pudo verificar ahora: hay "
            f"{pool.workers} verificaciones de nombres en curso. Probá de nuevo "
            "en unos minutos, y si sigue pasando, revisá el DNS del servidor."
        ) from exc
    try:
        with anyio.fail_after(timeout):
            return await asyncio.wrap_future(future)
    except TimeoutError as exc:
        host = _host_of(url)
        logger.warning("webhook host %r did not resolve in %ss", host, timeout)
        raise LookupTimedOut(
            f"La URL de webhook {url!r} no se pudo verificar: el nombre {host!r} "
            f"no se resolvió en {timeout:g} segundos. Probá de nuevo en unos "
            "minutos, y si sigue pasando, revisá el nombre o el DNS del servidor."
        ) from exc


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that connects only to addresses the policy allows.

    The name is resolved here, once, and every address is checked. The
    request then goes to a checked address with the original Host header.
    For https, the original name is sent for SNI and checked against the
    certificate.
    """

    def __init__(
        self,
        policy: EgressPolicy,
        inner: httpx.BaseTransport | None = None,
        *,
        resolve_timeout: float = RESOLVE_TIMEOUT_SECONDS,
        pool: LookupPool | None = None,
    ):
        self.policy = policy
        self.inner = inner or httpx.HTTPTransport()
        self.resolve_timeout = resolve_timeout
        self.pool = pool or LOOKUPS

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme.lower()
        if scheme not in SCHEMES:
            raise BlockedURL(
                f"La URL de webhook {str(url)!r} no es http ni https. Registrá una "
                "URL http(s)."
            )
        host = url.raw_host.decode("ascii")
        port = url.port or SCHEMES[scheme]
        addresses = self._addresses(request, host, port)
        if scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        request.headers.setdefault("Host", url.netloc.decode("ascii"))
        last: httpx.TransportError | None = None
        for address in addresses:
            request.url = url.copy_with(host=str(address))
            try:
                return self.inner.handle_request(request)
            except httpx.ConnectError as exc:
                last = exc
        assert last is not None
        raise last

    def _addresses(
        self, request: httpx.Request, host: str, port: int
    ) -> list[IPAddress]:
        """Resolve and check `host` in a lookup thread within `resolve_timeout`.

        A lookup that does not finish in time, or cannot start because every
        lookup thread is busy, raises httpx.ConnectTimeout, so the delivery
        is retried later like any other failed connection.
        """
        url = str(request.url)
        if literal_address(host) is not None:
            return self.policy.addresses(url, host, port)
        try:
            future = self.pool.submit(self.policy.addresses, url, host, port)
        except LookupPoolFull as exc:
            raise httpx.ConnectTimeout(
                f"DNS lookup of {host!r} did not start because {exc}; the "
                "delivery is retried later",
                request=request,
            ) from exc
        try:
            return future.result(timeout=self.resolve_timeout)
        except TimeoutError as exc:
            logger.warning(
                "webhook host %r did not resolve in %ss", host, self.resolve_timeout
            )
            raise httpx.ConnectTimeout(
                f"DNS lookup of {host!r} did not finish in {self.resolve_timeout:g} "
                "s; the delivery is retried later",
                request=request,
            ) from exc

    def close(self) -> None:
        self.inner.close()


def webhook_client(
    policy: EgressPolicy,
    timeout: float = 10.0,
    resolve_timeout: float = RESOLVE_TIMEOUT_SECONDS,
) -> httpx.Client:
    """Return the client for webhook posts: guarded, no redirects, no proxies."""
    return httpx.Client(
        transport=GuardedTransport(policy, resolve_timeout=resolve_timeout),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
