"""Fetching a dataset file from a URL into the workspace cache, with a size limit.

Every connection goes through `url_guard` (internal addresses refused unless allowed), and every
failure to get the file reads the same, so an error never tells whether an internal port answered.
The file is streamed to a temporary name and renamed when complete, so the cache never holds
half a file under the final name.
"""

from __future__ import annotations

import hashlib
import posixpath
import urllib.parse
from pathlib import Path

import httpx

from kozak.data.url_guard import AddressPolicy, guarded_client
from kozak.errors import LimitExceeded, NetworkError
from kozak.settings import Settings


def unreachable(url: str) -> NetworkError:
    """The one error for a URL that cannot be fetched, whatever the reason (refused or silent)."""
    return NetworkError(
        f"cannot download {url}: it did not answer, or its address is internal (loopback, private, "
        "link-local or multicast) and not allowed by KOZAK_URL_IMPORT_ALLOW; download it yourself "
        "and import the local file",
        url=url,
    )


def fetch_to_cache(
    url: str, settings: Settings, policy: AddressPolicy | None = None
) -> tuple[Path, str]:
    """Download `url` (unless cached) and return (local path, file name from the URL).

    Args:
        url: An http(s) URL.
        settings: The workspace's settings (size limit, timeout, allowed internal hosts).
        policy: The addresses it may reach; by default public ones plus `url_import_allow`.

    Raises:
        NetworkError: when the server cannot be reached, its address is refused, or it answers
            with an error status.
        LimitExceeded: when the body is larger than `max_upload_bytes`.
    """
    policy = policy or AddressPolicy(settings.url_import_allow)
    parsed = urllib.parse.urlparse(url)
    name = posixpath.basename(parsed.path) or "download"
    try:  # a cached copy is no reason to hand out what the policy now refuses
        policy.addresses(parsed.hostname or "", parsed.port or 443)
    except (OSError, ValueError) as exc:
        raise unreachable(url) from exc
    cache = settings.home / "cache" / "downloads"
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}-{name}"
    if target.exists():
        return target, name
    partial = target.with_name(target.name + ".part")
    received = 0
    try:
        with (
            guarded_client(policy, settings.download_timeout_s) as client,
            client.stream("GET", url) as response,
        ):
            response.raise_for_status()
            with open(partial, "wb") as handle:
                for chunk in response.iter_bytes(1 << 20):
                    received += len(chunk)
                    if received > settings.max_upload_bytes:
                        raise LimitExceeded(
                            f"{url} is larger than the limit of {settings.max_upload_bytes} bytes",
                            url=url,
                            limit=settings.max_upload_bytes,
                        )
                    handle.write(chunk)
    except httpx.HTTPStatusError as exc:
        partial.unlink(missing_ok=True)
        raise NetworkError(
            f"{url} answered {exc.response.status_code}", url=url, status=exc.response.status_code
        ) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        partial.unlink(missing_ok=True)
        raise unreachable(url) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return target, name
