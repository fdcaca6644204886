"""Peltarion's Data API on the wire: its camelCase names (`datasetWrapperId`, `uploadId`, ...),
which its clients read, with Kozak's draft or version added where the answer has room for them."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from kozak.data.data_api import Status, Upload
from kozak.server.schemas import MAX_TEXT, Schema
from kozak.server.schemas.datasets import DraftSummary, VersionSummary


class _Camel(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class WrapperCreate(_Camel):
    name: str = Field(min_length=1, max_length=200, description="Name of the dataset to create.")
    description: str = Field("", max_length=MAX_TEXT, description="What the dataset holds.")


class WrapperCreated(_Camel):
    dataset_wrapper_id: str = Field(
        alias="datasetWrapperId", description="The upload's id: the draft the files go into."
    )
    name: str = Field(description="The dataset's name (numbered when a dataset had the one asked).")


class UploadStatus(_Camel):
    upload_id: str = Field(alias="uploadId")
    status: Status = Field(description="PROCESSING, SUCCESS or FAILED.")
    message: str = Field(description="Why the upload FAILED; empty otherwise.")
    filename: str = Field(description="The file's name in the draft.")

    @classmethod
    def of(cls, upload: Upload) -> UploadStatus:
        return cls(
            upload_id=upload.id, status=upload.status, message=upload.message, filename=upload.filename
        )


class UploadStatuses(_Camel):
    upload_statuses: list[UploadStatus] = Field(alias="uploadStatuses")


class UploadComplete(_Camel):
    save: bool = Field(False, description="Save the draft as a version at once.")
    version_name: str | None = Field(
        None, alias="versionName", max_length=200, description="The version's name."
    )


class UploadCompleted(_Camel):
    dataset_wrapper_id: str = Field(alias="datasetWrapperId")
    draft: DraftSummary | None = Field(description="The draft, ready to save (without `save`).")
    version: VersionSummary | None = Field(description="The saved version (with `save`).")
