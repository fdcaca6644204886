"""Fetching a dataset file from a URL into the workspace cache, with a size limit.

The file is streamed to a temporary name and renamed when complete, so the cache never holds
half a file under the final name.
"""

from __future__ import annotations

import hashlib
import posixpath
import urllib.parse
from pathlib import Path

import httpx

from kozak.errors import LimitExceeded, NetworkError
from kozak.settings import Settings


def fetch_to_cache(url: str, settings: Settings) -> tuple[Path, str]:
    """Download `url` (unless cached) and return (local path, file name from the URL).

    Raises:
        NetworkError: when the server cannot be reached or answers with an error status.
        LimitExceeded: when the body is larger than `max_upload_bytes`.
    """
    name = posixpath.basename(urllib.parse.urlparse(url).path) or "download"
    cache = settings.home / "cache" / "downloads"
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}-{name}"
    if target.exists():
        return target, name
    partial = target.with_name(target.name + ".part")
    received = 0
    try:
        with httpx.stream(
            "GET", url, follow_redirects=True, timeout=settings.download_timeout_s
        ) as response:
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
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise NetworkError(
            f"cannot download {url}: {exc}; download it yourself and import the local file",
            url=url,
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return target, name
