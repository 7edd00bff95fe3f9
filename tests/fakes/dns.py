"""An in-process DNS zone for the webhook egress checks.

Names under .test have no real records, so tests give them addresses here
and no test sends a query to a real DNS server. localhost goes to the
system resolver, which reads it from /etc/hosts.
"""

from __future__ import annotations

import socket

from cobranza.web.egress import Resolver, resolve_host

# A public address that tests never connect to: a name resolving to it only
# passes the checks, and the posts go through httpx.MockTransport.
PUBLIC = "93.184.215.14"


def dns(records: dict[str, list[str]]) -> Resolver:
    """Return a resolver answering from `records`, like a DNS zone."""

    def resolve(host: str, port: int) -> list[str]:
        if host == "localhost":
            return resolve_host(host, port)
        if host not in records:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return records[host]

    return resolve
