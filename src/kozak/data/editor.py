"""A dataset being prepared: imported columns plus the spec the user edits, then saved.

The draft is what the Datasets view shows between upload and save: detected types, a preview,
live subset counts, statistics and warnings. Every edit replaces the immutable spec; `save`
writes a version (and the dataset itself, the first time) or writes nothing at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import ValidationError

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.detect import detect
from kozak.data.encode import FeatureData
from kozak.data.feature_spec import FeatureSpec, FeatureType, SequenceEncoding
from kozak.data.formats import read_files
from kozak.data.prepare import VersionContent, prepare
from kozak.data.subsets import RandomSubset, SubsetSpec, split
from kozak.data.table import RawColumn, RawTable, Source
from kozak.data.versions import load_version, save_version
from kozak.errors import AlreadyExists, InvalidConfig, NotFound, invalid_config
from kozak.sequences import EncodedSequences
from kozak.store.entities import Dataset, DatasetVersion, Project
from kozak.workspace import Workspace


class DatasetEditor:
    """Imported data and its spec, editable until saved as a version."""

    def __init__(
        self,
        workspace: Workspace,
        table: RawTable,
        spec: DatasetSpec,
        *,
        name: str,
        project: str,
        description: str = "",
    ) -> None:
        self.workspace = workspace
        self.table = table
        self.spec = spec
        self.name = name
        self.project = project
        self.description = description
        self._prepared: tuple[DatasetSpec, VersionContent] | None = None

    # Reading
    @property
    def features(self) -> tuple[FeatureSpec, ...]:
        """The features as currently specified."""
        return self.spec.features

    def preview(self, rows: int = 10) -> list[dict[str, Any]]:
        """The first rows, one dict per row keyed by feature name (arrays as nested lists)."""
        shown = min(rows, self.table.n_rows)
        result: list[dict[str, Any]] = [{} for _ in range(shown)]
        for feature in self.spec.features:
            values = self.table.column(feature.source).values
            if isinstance(values, EncodedSequences):
                cells: list[Any] = values.take(np.arange(shown)).decode()
            elif isinstance(values, np.ndarray):
                cells = values[:shown].tolist()
            else:
                cells = values.slice(0, shown).to_pylist()
            for row, cell in zip(result, cells, strict=True):
                row[feature.name] = cell
        return result

    def check(self) -> VersionContent:
        """Encode, evaluate subsets and compute statistics without saving (cached per spec)."""
        if self._prepared is None or self._prepared[0] != self.spec:
            self._prepared = (self.spec, prepare(self.table, self.spec))
        return self._prepared[1]

    def subset_counts(self) -> dict[str, int]:
        """Rows per subset under the current spec."""
        return {name: int(mask.sum()) for name, mask in self.check().masks.items()}

    def warnings(self) -> list[dict[str, Any]]:
        """Overlapping subsets, sequences shared across subsets, dropped rows."""
        return self.check().warnings

    # Editing
    def _replace_feature(self, feature_name: str, /, **changes: Any) -> DatasetEditor:
        feature = self.spec.feature(feature_name)
        try:
            updated = FeatureSpec.model_validate({**feature.model_dump(), **changes})
        except ValidationError as exc:
            raise invalid_config(exc, f"feature {feature_name!r}") from None
        self.spec = self.spec.model_copy(
            update={
                "features": tuple(updated if f.name == feature_name else f for f in self.spec.features)
            }
        )
        return self

    def rename(self, old: str, new: str) -> DatasetEditor:
        """Give a feature a new label (e.g. UTR → seq)."""
        if new != old and any(f.name == new for f in self.spec.features):
            raise AlreadyExists(f"a feature is already named {new!r}", feature=new)
        return self._replace_feature(old, name=new)

    def set_type(self, name: str, type: FeatureType | str) -> DatasetEditor:
        """Override the detected type of a feature."""
        try:
            kind = FeatureType(type)
        except ValueError:
            valid = ", ".join(t.value for t in FeatureType)
            raise InvalidConfig(f"unknown type {type!r} for {name!r}; valid: {valid}") from None
        changes: dict[str, Any] = {"type": kind, "categories": None}
        if kind is not FeatureType.SEQUENCE and self.spec.feature(name).on_invalid == "as_n":
            changes["on_invalid"] = "refuse"  # only a sequence has letters to read as N
        if kind is FeatureType.SEQUENCE and self.spec.feature(name).sequence is None:
            changes["sequence"] = SequenceEncoding()
        return self._replace_feature(name, **changes)

    def set_encoding(self, name: str, **encoding: Any) -> DatasetEditor:
        """Change a sequence feature's encoding (alphabet, length, alignment, padding)."""
        feature = self.spec.feature(name)
        if feature.type is not FeatureType.SEQUENCE or feature.sequence is None:
            raise InvalidConfig(f"feature {name!r} is not a sequence", feature=name)
        try:
            merged = SequenceEncoding.model_validate({**feature.sequence.model_dump(), **encoding})
        except ValidationError as exc:
            raise invalid_config(exc, f"encoding of {name!r}") from None
        return self._replace_feature(name, sequence=merged)

    def set_normalization(self, name: str, normalization: str) -> DatasetEditor:
        """Choose `zscore`, `minmax` or `none` for a numeric feature."""
        return self._replace_feature(name, normalization=normalization)

    def set_on_invalid(self, name: str, on_invalid: str) -> DatasetEditor:
        """Refuse (`refuse`), drop (`drop`) or, for DNA and RNA, repair (`as_n`: unknown letters
        read as N) the rows a feature cannot read."""
        return self._replace_feature(name, on_invalid=on_invalid)

    def remove_feature(self, name: str) -> DatasetEditor:
        """Leave a column out of the dataset."""
        self.spec.feature(name)
        self.spec = self.spec.model_copy(
            update={"features": tuple(f for f in self.spec.features if f.name != name)}
        )
        return self

    def add_subset(self, subset: SubsetSpec) -> DatasetEditor:
        """Append a subset definition."""
        if any(s.name == subset.name for s in self.spec.subsets):
            raise AlreadyExists(f"a subset is already named {subset.name!r}", subset=subset.name)
        self.spec = self.spec.model_copy(update={"subsets": (*self.spec.subsets, subset)})
        return self

    def remove_subset(self, name: str) -> DatasetEditor:
        """Delete a subset (e.g. the default split)."""
        if not any(s.name == name for s in self.spec.subsets):
            raise NotFound(f"no subset {name!r}", subset=name)
        self.spec = self.spec.model_copy(
            update={"subsets": tuple(s for s in self.spec.subsets if s.name != name)}
        )
        return self

    def split(
        self,
        names: Sequence[str] = ("training", "validation", "test"),
        percents: Sequence[float] = (80, 10, 10),
        seed: int = 0,
    ) -> DatasetEditor:
        """Add disjoint random subsets covering all rows."""
        for subset in split(names, percents, seed):
            self.add_subset(subset)
        return self

    def set_options(self, **options: Any) -> DatasetEditor:
        """Set `normalize_on` and/or `drop_missing`."""
        unknown = set(options) - {"normalize_on", "drop_missing"}
        if unknown:
            raise InvalidConfig(f"unknown options {sorted(unknown)}")
        try:
            self.spec = DatasetSpec.model_validate({**self.spec.model_dump(), **options})
        except ValidationError as exc:
            raise invalid_config(exc, "dataset options") from None
        return self

    # Saving
    def save(self, version_name: str | None = None) -> DatasetVersion:
        """Write a new immutable version (creating the dataset the first time)."""
        content = self.check()
        metadata = self.workspace.metadata
        try:
            project = metadata.get_project(self.project)
            new_project = False
        except NotFound:
            project = metadata.create_project(Project(name=self.project))
            new_project = True
        created = False
        try:
            dataset = metadata.get_dataset(project.id, self.name)
        except NotFound:
            dataset = metadata.create_dataset(
                Dataset(project_id=project.id, name=self.name, description=self.description)
            )
            created = True
        try:
            return save_version(self.workspace, dataset, content, self.table.sources, version_name)
        except BaseException:
            if new_project:
                metadata.delete_project(project.id)
            elif created:
                metadata.delete_dataset(dataset.id)
            raise


def default_spec(table: RawTable) -> DatasetSpec:
    """Detected features for every column and Peltarion's default 80/20 random split."""
    return DatasetSpec(
        features=tuple(detect(c) for c in table.columns),
        subsets=tuple(split(("training", "validation"), (80, 20))),
    )


def import_files(
    workspace: Workspace,
    paths: Sequence[Path | str],
    *,
    name: str,
    project: str = "Default",
    description: str = "",
) -> DatasetEditor:
    """Read files (or URLs), detect column types and return an editable draft."""
    table = read_files(paths, workspace.settings)
    return DatasetEditor(
        workspace, table, default_spec(table), name=name, project=project, description=description
    )


def _raw_column(data: FeatureData) -> RawColumn:
    spec, values = data.spec, data.values
    if spec.type is FeatureType.CATEGORICAL:
        assert spec.categories is not None and isinstance(values, np.ndarray)
        values = pa.array(np.asarray(spec.categories, dtype=object)[values], pa.string())
    elif spec.type is FeatureType.MULTILABEL:
        assert spec.categories is not None and isinstance(values, np.ndarray)
        labels = np.asarray(spec.categories, dtype=object)
        values = pa.array([spec.delimiter.join(labels[row.astype(bool)]) for row in values])
    elif isinstance(values, np.ndarray):
        values = np.asarray(values)
    return RawColumn(spec.name, values, "stored version")


def edit_version(
    workspace: Workspace, dataset: Dataset, version: DatasetVersion, project: str
) -> DatasetEditor:
    """A draft holding a stored version's data and spec, to save as a new version."""
    content = load_version(workspace, version)
    table = RawTable(
        [_raw_column(f) for f in content.features],
        [Source(**s) for s in version.sources],
    )
    features = tuple(
        f.spec.model_copy(update={"source": f.spec.name, "stats": None}) for f in content.features
    )
    spec = content.spec.model_copy(update={"features": features, "drop_missing": False})
    return DatasetEditor(
        workspace, table, spec, name=dataset.name, project=project, description=dataset.description
    )


__all__ = ["DatasetEditor", "RandomSubset", "default_spec", "edit_version", "import_files"]
