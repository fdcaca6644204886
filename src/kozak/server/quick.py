"""Quick reads (one experiment, a millisecond or two): where an API process runs them.

`await quick.read(workspace, fn, *args)` returns `fn(workspace, *args)`, errors as raised.
From a SQLite file the read waits on nothing but this process's CPU (the file sits in the page
cache, and in WAL mode a reader never waits for a writer), so it runs here, on the event loop: a
trip to the thread pool would add two wake-ups and two hand-offs of the interpreter lock, each of
which waits for a core while list pages keep the cores busy. From a database server the read
waits on the network, which the event loop must not do: it runs in the thread pool.

Only reads belong here, a write to SQLite waiting for any other process's write to end. The one
write a caller's check makes, a token's last use stamped at most once a minute, waits at most
for one of the store's own write transactions (a handful of statements each).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from starlette.concurrency import run_in_threadpool

from kozak.workspace import Workspace

T = TypeVar("T")


@functools.cache
def on_event_loop(database_url: str) -> bool:
    """Whether quick reads from this database run on the event loop (a SQLite file or memory)."""
    return make_url(database_url).get_backend_name() == "sqlite"


async def read(workspace: Workspace, fn: Callable[..., T], *args: Any) -> T:
    """`fn(workspace, *args)`, on the event loop or in the thread pool (see the module), its
    look-ups on one connection."""
    if on_event_loop(workspace.settings.database_url):
        return _on_one_connection(workspace, fn, *args)
    return await run_in_threadpool(_on_one_connection, workspace, fn, *args)


def _on_one_connection(workspace: Workspace, fn: Callable[..., T], *args: Any) -> T:
    with workspace.metadata.one_connection():
        return fn(workspace, *args)
