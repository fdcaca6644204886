"""Stored dataset drafts: their rows, the `DatasetEditor` each opens as, its edits, view and save.

A `Draft` row lists the draft's files and holds the `DatasetSpec` being edited; every operation
re-reads the row, applies one `DatasetEditor` edit and stores the new spec, so any server process
can serve any request: the row is the truth. Opened drafts are cached in-process by file content.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.draft_cache import (
    Lru,
    cache_table,
    detected_spec,
    files_table,
    forget_lock,
    locked,
    locked_row,
)
from kozak.data.editor import DatasetEditor, edit_version
from kozak.data.feature_spec import FeatureType
from kozak.data.prepare import VersionContent, subset_rows
from kozak.data.rows import RowQuery, RowView, page_rows, row_view
from kozak.data.subsets import FilterSubset, RankSubset, SubsetSpec
from kozak.errors import AlreadyExists, InvalidConfig, KozakError, invalid_config
from kozak.sequences import EncodedSequences, one_hot_to_codes
from kozak.store.entities import DatasetVersion, Draft, Project
from kozak.workspace import Workspace

OPEN_CACHE_SIZE = 4  # drafts kept open (table plus the last prepared content)
_SUBSET = TypeAdapter[Any](SubsetSpec)


@dataclass
class _Opened:
    """A draft's combined table as a `DatasetEditor`, with what was learnt about it."""

    key: tuple[tuple[str, str], ...]  # (file name, sha256) of every file, in order
    draft: DatasetEditor
    default: DatasetSpec  # detected types and the default split
    failure: tuple[DatasetSpec, KozakError] | None = field(default=None)


_opened: Lru[str, _Opened] = Lru(OPEN_CACHE_SIZE)


def _refuse_taken_name(workspace: Workspace, project_id: str, name: str) -> None:
    if any(d.name == name for d in workspace.metadata.list_datasets(project_id)):
        raise AlreadyExists(
            f"the project already has a dataset named {name!r}; to add a version to it, start a "
            "draft from one of its versions",
            dataset=name,
            field="name",
        )


def _clean_name(name: str) -> str:
    if not name.strip():
        raise InvalidConfig("a dataset draft needs a name", field="name")
    return name.strip()


def create_draft(
    workspace: Workspace, project: Project, name: str, *, description: str = "", created_by: str = ""
) -> Draft:
    """An empty draft of a new dataset called `name`.

    Raises:
        InvalidConfig: the name is empty.
        AlreadyExists: the project already has a dataset of that name.
    """
    name = _clean_name(name)
    _refuse_taken_name(workspace, project.id, name)
    return workspace.metadata.create_draft(
        Draft(project_id=project.id, name=name, description=description, created_by=created_by)
    )


def draft_from_version(
    workspace: Workspace, project: Project, dataset_ref: str, version_ref: str, *, created_by: str = ""
) -> Draft:
    """A draft holding a stored version's data and spec; saving it adds a version to that dataset.

    Args:
        workspace: The workspace.
        project: The project the dataset belongs to.
        dataset_ref: Dataset id or name.
        version_ref: Version id or name.
        created_by: Who started the draft.

    Raises:
        NotFound: naming the dataset or version.
    """
    dataset = workspace.metadata.get_dataset(project.id, dataset_ref)
    version = workspace.metadata.get_dataset_version(dataset.id, version_ref)
    editor = edit_version(workspace, dataset, version, project.id)
    entry: dict[str, Any] = {
        "name": f"{dataset.name}@{version.name}",
        "path": version.artifact_path,
        "size": sum(int(s.get("bytes", 0)) for s in version.sources),
        "sha256": version.digest,
        "version_id": version.id,
    }
    cache_table(entry["name"], version.digest, editor.table)
    return workspace.metadata.create_draft(
        Draft(
            project_id=project.id,
            name=dataset.name,
            description=dataset.description,
            dataset_id=dataset.id,
            files=[entry],
            spec=editor.spec.model_dump(mode="json"),
            created_by=created_by,
        )
    )


def get_draft(workspace: Workspace, project: Project, draft_id: str) -> Draft:
    """A draft of `project` (a draft of another project is not found).

    Raises:
        NotFound: naming the draft.
    """
    return workspace.metadata.get_draft(project.id, draft_id)


def list_drafts(workspace: Workspace, project: Project) -> list[Draft]:
    """The project's drafts, oldest first."""
    return workspace.metadata.list_drafts(project.id)


def update_draft(
    workspace: Workspace, draft: Draft, *, name: str | None = None, description: str | None = None
) -> Draft:
    """Rename a draft (the dataset it will create) or change its description.

    Raises:
        InvalidConfig: the name is empty, or the draft edits an existing dataset.
        AlreadyExists: the name is taken by a dataset.
    """
    changes: dict[str, Any] = {}
    if name is not None and name.strip() != draft.name:
        if draft.dataset_id is not None:
            raise InvalidConfig(
                f"this draft adds a version to dataset {draft.name!r}; its name cannot change here",
                field="name",
            )
        changes["name"] = _clean_name(name)
        _refuse_taken_name(workspace, draft.project_id, changes["name"])
    if description is not None:
        changes["description"] = description
    return workspace.metadata.update_draft(draft.id, **changes) if changes else draft


def delete_draft(workspace: Workspace, draft: Draft) -> None:
    """Delete a draft and its uploaded files (the row first, so none points at missing files)."""
    with locked(workspace, draft.id):
        workspace.metadata.delete_draft(draft.id)
        workspace.artifacts.delete(f"drafts/{draft.id}")
    forget(workspace, draft.id)


def forget(workspace: Workspace, draft_id: str) -> None:
    """Drop what is kept of a deleted draft: its opened table and its lock (and lock file)."""
    _opened.pop(draft_id)
    forget_lock(workspace, draft_id)


# Opening and editing
def _open(workspace: Workspace, row: Draft) -> _Opened:
    """The draft's `DatasetEditor` with the row's spec (the caller holds the draft's lock)."""
    key = tuple((f["name"], f["sha256"]) for f in row.files)
    opened = _opened.get(row.id)
    if opened is None or opened.key != key:
        if not row.files:
            raise InvalidConfig("the draft has no files yet; upload one first", draft=row.id)
        table = files_table(workspace, row, row.files)
        default = detected_spec(table)
        opened = _Opened(
            key, DatasetEditor(workspace, table, default, name=row.name, project=row.project_id), default
        )
        _opened.put(row.id, opened)
    if row.spec is None:
        opened.draft.spec = opened.default
        workspace.metadata.update_draft(row.id, spec=opened.default.model_dump(mode="json"))
    else:
        opened.draft.spec = DatasetSpec.model_validate(row.spec)
    opened.draft.workspace, opened.draft.project = workspace, row.project_id
    opened.draft.name, opened.draft.description = row.name, row.description
    return opened


def _checked(opened: _Opened) -> tuple[VersionContent | None, KozakError | None]:
    """The prepared content under the current spec, or the error that stops it (both cached)."""
    spec = opened.draft.spec
    if opened.failure is not None and opened.failure[0] == spec:
        return None, opened.failure[1]
    try:
        return opened.draft.check(), None
    except KozakError as exc:
        opened.failure = (spec, exc)
        return None, exc


def open_draft(workspace: Workspace, draft: Draft) -> DatasetEditor:
    """The library draft for a stored one: its files' columns under its spec.

    A draft without a spec gets the detected default, which is then stored.

    Raises:
        InvalidConfig: the draft has no files.
        DataError: a file cannot be read or the files cannot be combined.
    """
    with locked_row(workspace, draft) as row:
        editor = _open(workspace, row).draft
        return DatasetEditor(
            workspace,
            editor.table,
            editor.spec,
            name=row.name,
            project=row.project_id,
            description=row.description,
        )


def _edit(
    workspace: Workspace,
    draft: Draft,
    apply: Callable[[DatasetEditor], object],
    *,
    may_break: bool = False,
) -> Draft:
    """Apply one edit and store the new spec.

    An edit that breaks a draft which prepared cleanly is refused with the error (unless
    `may_break`: going back to refusing invalid rows breaks it on purpose); a draft that was
    already broken (missing values, a subset on a removed column, ...) accepts edits, so it can
    be fixed step by step; its view shows what is still wrong.
    """
    with locked_row(workspace, draft) as row:
        opened = _open(workspace, row)
        before = opened.draft.spec
        _, broken_before = _checked(opened)
        try:
            apply(opened.draft)
            _, error = _checked(opened)
            if error is not None and broken_before is None and not may_break:
                raise error
        except BaseException:
            opened.draft.spec = before
            raise
        return workspace.metadata.update_draft(row.id, spec=opened.draft.spec.model_dump(mode="json"))


def _renamed_in_subsets(spec: DatasetSpec, old: str, new: str) -> DatasetSpec:
    subsets = []
    for subset in spec.subsets:
        if isinstance(subset, FilterSubset):
            conditions = tuple(
                c.model_copy(update={"feature": new}) if c.feature == old else c
                for c in subset.conditions
            )
            subset = subset.model_copy(update={"conditions": conditions})
        elif isinstance(subset, RankSubset) and subset.feature == old:
            subset = subset.model_copy(update={"feature": new})
        subsets.append(subset)
    return spec.model_copy(update={"subsets": tuple(subsets)})


def update_feature(
    workspace: Workspace,
    draft: Draft,
    name: str,
    *,
    new_name: str | None = None,
    type: FeatureType | str | None = None,
    encoding: dict[str, Any] | None = None,
    normalization: str | None = None,
    on_invalid: str | None = None,
) -> Draft:
    """Change one feature: type, sequence encoding, normalization, what happens to the rows it
    cannot read (refuse, drop, unknown letters as N) and label (in that order).

    A new label is carried into the subsets that filter or rank by the feature.

    Raises:
        NotFound: no such feature.
        AlreadyExists: another feature has the new label.
        InvalidConfig | DataError: the change is not valid for the data (naming field or row).
    """

    def apply(editor: DatasetEditor) -> None:
        if type is not None:
            editor.set_type(name, type)
        if encoding:
            editor.set_encoding(name, **encoding)
        if normalization is not None:
            editor.set_normalization(name, normalization)
        if on_invalid is not None:
            editor.set_on_invalid(name, on_invalid)
        if new_name is not None and new_name != name:
            if not new_name.strip():
                raise InvalidConfig("a feature needs a name", feature=name, field="name")
            editor.rename(name, new_name)
            editor.spec = _renamed_in_subsets(editor.spec, name, new_name)

    only_on_invalid = (type, encoding, normalization, new_name) == (None, None, None, None)
    return _edit(workspace, draft, apply, may_break=only_on_invalid and on_invalid == "refuse")


def _parsed(validate: Callable[[Any], Any], value: Any, what: str) -> Any:
    """`value` validated when given as JSON (a dict); a model is taken as it is."""
    if not isinstance(value, dict):
        return value
    try:
        return validate(value)
    except ValidationError as exc:
        raise invalid_config(exc, what) from None


def remove_feature(workspace: Workspace, draft: Draft, name: str) -> Draft:
    """Leave a feature out of the dataset."""
    return _edit(workspace, draft, lambda d: d.remove_feature(name))


def add_subset(workspace: Workspace, draft: Draft, subset: SubsetSpec | dict[str, Any]) -> Draft:
    """Append a subset (random, filter or rank), given as a model or its JSON.

    Raises:
        InvalidConfig: the definition is invalid or refers to an unknown feature or subset.
        AlreadyExists: a subset of that name exists.
    """
    parsed = _parsed(_SUBSET.validate_python, subset, "subset")
    return _edit(workspace, draft, lambda d: d.add_subset(parsed))


def remove_subset(workspace: Workspace, draft: Draft, name: str) -> Draft:
    """Delete a subset (e.g. the default split)."""

    def apply(editor: DatasetEditor) -> None:
        editor.remove_subset(name)
        if editor.spec.normalize_on == name:  # the statistics fall back to the default
            editor.set_options(normalize_on=None)

    return _edit(workspace, draft, apply)


def set_options(workspace: Workspace, draft: Draft, **options: Any) -> Draft:
    """Set `normalize_on` (a subset, None for the default) and/or `drop_missing`."""
    return _edit(workspace, draft, lambda d: d.set_options(**options))


def replace_spec(workspace: Workspace, draft: Draft, spec: DatasetSpec | dict[str, Any]) -> Draft:
    """Replace the whole spec (features, subsets, options) at once.

    Raises:
        InvalidConfig: the spec is invalid, naming the field.
    """
    parsed: DatasetSpec = _parsed(DatasetSpec.model_validate, spec, "dataset spec")

    def apply(editor: DatasetEditor) -> None:
        editor.spec = parsed

    return _edit(workspace, draft, apply)


# Reading
def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def preview_rows(editor: DatasetEditor, rows: int) -> list[dict[str, Any]]:
    """The first rows, JSON-safe: sequences as letters (also one-hot arrays), NaN as None.

    Args:
        editor: A draft, or a stored version opened for editing.
        rows: How many rows at most.

    Returns:
        One `{feature name: value}` per row.
    """
    preview = editor.preview(rows)
    for feature in editor.spec.features:
        raw = editor.table.column(feature.source).values
        if feature.type is FeatureType.SEQUENCE and isinstance(raw, np.ndarray) and preview:
            found = one_hot_to_codes(raw[: len(preview)])
            if found is not None:
                for row, text in zip(preview, found.sequences.decode(), strict=True):
                    row[feature.name] = text
    return [{k: _json_safe(v) for k, v in row.items()} for row in preview]


def _row_view(opened: _Opened, draft_id: str) -> RowView:
    """The draft's rows under its current spec, for browsing and counting invalid rows."""
    editor = opened.draft
    spec = editor.spec
    key = ("draft", draft_id, opened.key, spec.model_dump_json())
    return row_view(key, lambda: (editor.table, spec))


def _features_view(
    opened: _Opened, content: VersionContent | None, rows: RowView
) -> list[dict[str, Any]]:
    detected = {f.source: f.type for f in opened.default.features}
    result = []
    for feature in opened.draft.spec.features:
        invalid = rows.invalid(feature)
        resolved, tensor_shape = feature, None
        if content is not None:
            data = content.feature(feature.name)
            resolved = data.spec
            longest = data.values.max_length if isinstance(data.values, EncodedSequences) else None
            tensor_shape = list(resolved.tensor_shape(longest))
        result.append(
            {
                "name": feature.name,
                "source": feature.source,
                "file": opened.draft.table.column(feature.source).file,
                "type": feature.type,
                "detected_type": detected.get(feature.source),
                "sequence": feature.sequence,
                "normalization": feature.normalization,
                "shape": list(resolved.shape),
                "categories": None if resolved.categories is None else list(resolved.categories),
                "normalization_stats": resolved.stats,
                "tensor_shape": tensor_shape,
                "on_invalid": feature.on_invalid,
                "invalid_rows": invalid.count,
                "first_invalid_row": invalid.first,
                "unknown_letters": int(invalid.unknown_letters.sum()),
            }
        )
    return result


def draft_view(
    workspace: Workspace, draft: Draft, rows: int = 10, *, stats: bool = False
) -> dict[str, Any]:
    """Everything the Datasets view shows for a draft.

    Returns:
        The row's fields plus `features` (type, detected type, encoding, normalization, shape a
        model sees), `preview` (first `rows` rows), `row_count`, `dropped_rows`, `subsets` (each
        definition with its live row count), `warnings` (overlaps, leakage, dropped rows),
        `error` (what stops the draft from being saved, or None) and `stats` when asked.
    """
    with locked_row(workspace, draft) as row:
        view: dict[str, Any] = {
            **row.model_dump(exclude={"spec"}),
            "spec": None,
            "row_count": 0,
            "dropped_rows": 0,
            "repairs": [],
            "features": [],
            "preview": [],
            "subsets": [],
            "warnings": [],
            "error": None,
            "stats": None,
        }
        if not row.files:
            return view
        try:
            opened = _open(workspace, row)
        except KozakError as exc:
            return {**view, "error": exc.to_dict()["error"]}
        content, error = _checked(opened)
        editor = opened.draft
        counts = {} if content is None else {k: int(m.sum()) for k, m in content.masks.items()}
        view.update(
            spec=editor.spec,
            row_count=editor.table.n_rows if content is None else content.n_rows,
            dropped_rows=0 if content is None else content.dropped_rows,
            repairs=[] if content is None else content.repairs,
            features=_features_view(opened, content, _row_view(opened, row.id)),
            preview=preview_rows(editor, rows),
            subsets=[{"definition": s, "rows": counts.get(s.name)} for s in editor.spec.subsets],
            warnings=[] if content is None else content.warnings,
            error=None if error is None else error.to_dict()["error"],
            stats=content.stats if stats and content is not None else None,
        )
        return view


def draft_rows(
    workspace: Workspace,
    draft: Draft,
    query: RowQuery,
    offset: int,
    limit: int,
    find: int | None = None,
) -> dict[str, Any]:
    """A page of the draft's rows as imported (numbered from 1), sorted and filtered.

    Returns:
        What `kozak.data.rows.page_rows` returns.

    Raises:
        InvalidConfig: the draft has no files, or the query names an array feature.
        NotFound: the query names no feature.
    """
    with locked_row(workspace, draft) as row:
        rows = _row_view(_open(workspace, row), row.id)
    return page_rows(rows, query, offset, limit, find)


def count_subset(
    workspace: Workspace, draft: Draft, subset: SubsetSpec | dict[str, Any]
) -> dict[str, int]:
    """How many rows a subset would hold in the draft, without adding it.

    Raises:
        InvalidConfig | DataError: the definition is invalid, or the draft cannot be prepared
            (its error says why).
    """
    parsed = _parsed(_SUBSET.validate_python, subset, "subset")
    with locked_row(workspace, draft) as row:
        opened = _open(workspace, row)
        content, error = _checked(opened)
        if error is not None:
            raise error
        assert content is not None  # _checked gives one or the other
        return {"rows": subset_rows(content, parsed), "row_count": content.n_rows}


# Saving
def save_draft(workspace: Workspace, draft: Draft, version_name: str | None = None) -> DatasetVersion:
    """Save the draft as a version (of a new dataset, or of the one it edits), then delete it.

    Raises:
        InvalidConfig | DataError: what stops the draft from being saved, naming the field or row.
        AlreadyExists: a new dataset's name or the version name is taken.
    """
    with locked_row(workspace, draft) as row:
        editor = _open(workspace, row).draft
        if row.dataset_id is not None:
            editor.name = workspace.metadata.get_dataset(row.project_id, row.dataset_id).name
        else:
            _refuse_taken_name(workspace, row.project_id, row.name)
        version = editor.save(version_name)
        delete_draft(workspace, row)
    return version


__all__ = [
    "add_subset",
    "count_subset",
    "create_draft",
    "delete_draft",
    "draft_from_version",
    "draft_rows",
    "draft_view",
    "forget",
    "get_draft",
    "list_drafts",
    "open_draft",
    "preview_rows",
    "remove_feature",
    "remove_subset",
    "replace_spec",
    "save_draft",
    "set_options",
    "update_draft",
    "update_feature",
]
