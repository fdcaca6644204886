"""Peltarion's Data API over dataset drafts: a dataset wrapper is a draft, an upload one of its files.

`create_wrapper` starts a draft (a taken name gets a number: Peltarion's dataset names were not
unique, so its clients reuse them). `upload` streams a raw body of one of the API's content types
into the draft, as uploads from the web UI go, and records the upload's status next to the
draft's files: SUCCESS, or FAILED with the reason (a malformed file is an answer to poll for, as
it was on Peltarion, not a refused request). `complete` checks that every upload has finished
and at least one succeeded; the files are then one draft, combined column-wise, ready to save,
or saved as a version when asked.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from kozak.data import stored_drafts, uploads
from kozak.data.draft_cache import locked
from kozak.errors import Conflict, DataError, InvalidConfig
from kozak.store.entities import DatasetVersion, Draft, Project, new_id, utcnow
from kozak.workspace import Workspace

# The media types Peltarion's Data API took, and the extension that names each format here.
CONTENT_TYPES = {"text/csv": "csv", "application/zip": "zip", "application/npy": "npy"}

Status = Literal["PROCESSING", "SUCCESS", "FAILED"]


class Upload(BaseModel):
    """One upload into a wrapper: its file name in the draft, status and, when FAILED, why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    filename: str
    status: Status
    message: str = ""
    created_at: datetime


def _record_path(draft: Draft, upload_id: str) -> str:
    return f"drafts/{draft.id}/uploads/{upload_id}.json"


def _write(workspace: Workspace, draft: Draft, upload: Upload) -> Upload:
    workspace.artifacts.put_bytes(_record_path(draft, upload.id), upload.model_dump_json().encode())
    return upload


def create_wrapper(
    workspace: Workspace, project: Project, name: str, *, description: str = "", created_by: str = ""
) -> Draft:
    """A new draft for a Data API upload, under `name` or, when a dataset has it, `name 2`, ...

    Raises:
        InvalidConfig: the name is empty.
    """
    taken = {d.name for d in workspace.metadata.list_datasets(project.id)}
    free, k = name.strip(), 2
    while free in taken:
        free, k = f"{name.strip()} {k}", k + 1
    return stored_drafts.create_draft(
        workspace, project, free, description=description, created_by=created_by
    )


def _extension(content_type: str) -> str:
    media = content_type.split(";")[0].strip().lower()
    if media not in CONTENT_TYPES:
        raise InvalidConfig(
            f"Content-Type {media or '(none)'!r} is not one the Data API takes; send "
            f"{', '.join(CONTENT_TYPES)}",
            field="Content-Type",
        )
    return CONTENT_TYPES[media]


def _disposition_name(header: str | None) -> str | None:
    found = re.search(r'filename="?([^";]+)"?', header or "")
    return found.group(1).strip() if found else None


def list_uploads(workspace: Workspace, draft: Draft) -> list[Upload]:
    """The wrapper's uploads, oldest first."""
    prefix = f"drafts/{draft.id}/uploads/"
    found = [
        Upload.model_validate(json.loads(workspace.artifacts.get_bytes(path)))
        for path in workspace.artifacts.list(prefix)
        if path.endswith(".json")
    ]
    return sorted(found, key=lambda u: (u.created_at, u.id))


async def upload(
    workspace: Workspace,
    draft: Draft,
    content_type: str,
    chunks: AsyncIterator[bytes],
    *,
    disposition: str | None = None,
    expected_size: int | None = None,
) -> Upload:
    """Stream a raw body into the wrapper's draft and record how it went.

    The file is called as `Content-Disposition` names it, else `upload-<n>.<extension>` (an NPY
    file's column takes that name; rename it in the draft).

    Raises:
        InvalidConfig: the content type is not one of `CONTENT_TYPES`, or the name not plain.
        LimitExceeded: the body is over the upload limit (no upload is recorded).
    """
    extension = _extension(content_type)
    with locked(workspace, draft.id):
        count = len(list_uploads(workspace, draft))
        filename = uploads.check_filename(
            _disposition_name(disposition) or f"upload-{count + 1}.{extension}"
        )
        started = _write(
            workspace,
            draft,
            Upload(id=new_id("upl"), filename=filename, status="PROCESSING", created_at=utcnow()),
        )
    try:
        await uploads.add_file_async(workspace, draft, filename, chunks, expected_size=expected_size)
    except (DataError, InvalidConfig) as exc:
        return _write(
            workspace, draft, started.model_copy(update={"status": "FAILED", "message": exc.message})
        )
    except BaseException:
        workspace.artifacts.delete(_record_path(draft, started.id))
        raise
    return _write(workspace, draft, started.model_copy(update={"status": "SUCCESS"}))


def complete(
    workspace: Workspace, draft: Draft, *, save: bool = False, version_name: str | None = None
) -> Draft | DatasetVersion:
    """Finish the upload: the draft, ready to save, or (with `save`) the version it becomes.

    Raises:
        Conflict: an upload is still being processed.
        DataError: no upload succeeded.
        InvalidConfig | DataError | AlreadyExists: with `save`, what stops the draft from being
            saved (see `drafts.save_draft`).
    """
    found = list_uploads(workspace, draft)
    busy = [u.filename for u in found if u.status == "PROCESSING"]
    if busy:
        raise Conflict(f"uploads still being processed: {', '.join(busy)}; wait for them to finish")
    current = workspace.metadata.get_draft(draft.project_id, draft.id)
    if not current.files:
        failed = "; ".join(f"{u.filename}: {u.message}" for u in found if u.status == "FAILED")
        raise DataError(
            "no file was uploaded successfully" + (f" ({failed})" if failed else ""),
            dataset=draft.name,
        )
    if not save:
        return current
    return stored_drafts.save_draft(workspace, current, version_name)


__all__ = ["CONTENT_TYPES", "Upload", "complete", "create_wrapper", "list_uploads", "upload"]
