"""Prometheus metrics of this node, served at GET /metrics (prometheus_client's text format).

Call from the service's code, one line where the thing happens:

    metrics.count("frames_dropped_by_budget")                 # a counter, +1
    metrics.count("resumes", role="visitor", outcome="resumed")
    metrics.socket_opened("visitor") / metrics.socket_closed("visitor")

Counting is a dict increment (no lock, no prometheus_client object in the hot
path); the figures become metric families only when /metrics is scraped.
`watch_hub(hub)` (app.py) adds what the hub already knows at scrape time:
live sessions and relayed frames. Every family carries a `node` label,
`node()` (`set_node`: --node-id / COBROWSE_NODE_ID, else hostname:pid of the
process that serves the scrape),
so the nodes behind one proxy can be told apart. METRICS is the catalogue:
name -> (kind, help, label names); `count` refuses a name or labels it lacks.
"""

import os
import socket
import weakref

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

PREFIX = "cobrowse_"
# name -> (kind, help, label names). Counters are exported as <PREFIX><name>_total.
METRICS = {
    "sessions": ("gauge", "Cobrowse sessions live on this node", ()),
    "sockets": ("gauge", "WebSocket connections open on this node, by role", ("role",)),
    "frames_relayed": ("counter", "Frames relayed between visitors and agents", ()),
    "frames_dropped_by_budget": ("counter", "Frames dropped because a budget was exceeded (over_budget)", ()),
    "resumes": ("counter", "Resume attempts (a socket rejoining a session with its resume token), by outcome",
                ("role", "outcome")),
    "redis_errors": ("counter", "Errors talking to Redis (the backplane)", ()),
}

_node_id = None
_counts = {}    # (name, label values) -> int
_sockets = {}   # role -> open sockets
_hubs = weakref.WeakSet()


def set_node(node_id=None):
    """The `node` label of every metric: `node_id`, else (None) hostname:pid. Call at start-up."""
    global _node_id
    _node_id = node_id or None


def node():
    """This node's name: the one set_node gave, else hostname:pid (worker processes differ by pid)."""
    return _node_id or "%s:%d" % (socket.gethostname(), os.getpid())


def count(name, n=1, **labels):
    """Add `n` to the counter `name` (a METRICS key) with these labels (exactly its label names)."""
    kind, _, names = METRICS[name]
    if kind != "counter" or set(labels) != set(names):
        raise ValueError("metric %s takes labels %s" % (name, ", ".join(names) or "none"))
    key = (name, tuple(str(labels[k]) for k in names))
    _counts[key] = _counts.get(key, 0) + n


def socket_opened(role):
    """A WebSocket of `role` ("visitor" or "agent") was accepted."""
    _sockets[role] = _sockets.get(role, 0) + 1


def socket_closed(role):
    """A socket socket_opened counted has closed."""
    _sockets[role] = _sockets.get(role, 0) - 1


def watch_hub(hub):
    """Report this hub's live sessions and relayed frames (hub.sessions, hub.stats["relayed"])."""
    _hubs.add(hub)


def value(name, **labels):
    """The current value of a counter or gauge (tests and /api/stats read it)."""
    for family in _Collector().collect():
        if family.name in (PREFIX + name, PREFIX + name + "_total"):
            for sample in family.samples:
                if sample.name.endswith("_created"):
                    continue
                if all(sample.labels.get(k) == str(v) for k, v in labels.items()):
                    return sample.value
    return 0


class _Collector:
    """Turns the plain counts into metric families when /metrics is scraped."""

    def collect(self):
        families = {}
        for name, (kind, text, names) in METRICS.items():
            make = CounterMetricFamily if kind == "counter" else GaugeMetricFamily
            families[name] = make(PREFIX + name, text, labels=("node",) + names)
        hubs, here = list(_hubs), node()
        families["sessions"].add_metric([here], sum(len(h.sessions) for h in hubs))
        families["frames_relayed"].add_metric([here], sum(h.stats.get("relayed", 0) for h in hubs))
        for role in sorted(set(_sockets) | {"visitor", "agent"}):
            families["sockets"].add_metric([here, role], _sockets.get(role, 0))
        for (name, values), n in sorted(_counts.items()):
            families[name].add_metric([here] + list(values), n)
        for name in ("redis_errors", "frames_dropped_by_budget"):   # an unlabelled counter reads 0 before it first counts
            if not families[name].samples:
                families[name].add_metric([here], 0)
        return list(families.values())


REGISTRY = CollectorRegistry(auto_describe=False)
REGISTRY.register(_Collector())
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)


def exposition():
    """(body bytes, content type) of GET /metrics."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
