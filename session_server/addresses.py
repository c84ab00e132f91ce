"""The source address of a request, behind trusted proxies or not, as the key of per-address limits.

Pure (stdlib `ipaddress` only). Call `parse_proxies(text)` once at start-up
with COBROWSE_TRUSTED_PROXIES (addresses or networks separated by commas or
spaces, e.g. "127.0.0.1, 10.0.0.0/8"); call `client_address(peer, forwarded,
proxies)` for every WebSocket upgrade and every HTTP request that a limit
counts.

- Without trusted proxies the address is the TCP peer's; X-Forwarded-For is
  ignored (anyone can send it).
- When the TCP peer is a trusted proxy, the address is the right-most entry
  of X-Forwarded-For that is not itself a trusted proxy (each proxy appends
  the address it saw; entries left of an untrusted one are the client's own
  claims and are never used). No usable entry: the peer's address.
- The key is the IPv4 address, or the /64 network of an IPv6 address (one
  subscriber usually holds a whole /64).
"""

import ipaddress


def parse_proxies(text):
    """The trusted proxy networks from a setting string (or a list); raises ValueError naming a bad entry."""
    if not text:
        return ()
    items = text if isinstance(text, (list, tuple)) else text.replace(",", " ").split()
    out = []
    for item in items:
        try:
            out.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ValueError("COBROWSE_TRUSTED_PROXIES: %r is not an IP address or network" % item)
    return tuple(out)


def _ip(text):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except (ValueError, AttributeError):
        return None


def _trusted(ip, proxies):
    return any(ip.version == n.version and ip in n for n in proxies)


def client_address(peer, forwarded, proxies):
    """The per-address key ("198.51.100.7", "2001:db8:1:2::/64") of a request from TCP peer `peer`
    (an address string, or None) with X-Forwarded-For header value `forwarded` (or None)."""
    ip = _ip(peer) if peer else None
    if ip is None:
        return "unknown"
    if proxies and forwarded and _trusted(ip, proxies):
        for part in reversed(forwarded.split(",")[-20:]):
            hop = _ip(part)
            if hop is None:
                break
            ip = hop
            if not _trusted(hop, proxies):
                break
    return key_of(ip)


def key_of(ip):
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(str(ip) + "/64", strict=False))
    return str(ip)
