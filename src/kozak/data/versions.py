"""Writing and reading immutable, content-addressed dataset versions.

Layout under `datasets/<dataset id>/<digest[:16]>-<save>/`: `manifest.json` (spec, sources,
row count), `features/<i>.npy` (plus `<i>.lengths.npy` for sequences; text features in
`text.parquet`) and `subsets.npz` (bit-packed row masks). The directory is assembled in a
temporary place and moved into the artifact store in one rename; the metadata row is written
only after that, and the files are removed again if the row cannot be written. Each save writes
a folder of its own (`<save>` is random), so two saves of the same content at once never touch
each other's files: the database's unique digest picks one, and the other returns it.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.encode import FeatureData
from kozak.data.feature_spec import FeatureType
from kozak.data.prepare import VersionContent, done
from kozak.data.table import Source
from kozak.errors import AlreadyExists, SchemaMismatch
from kozak.sequences import EncodedSequences
from kozak.store.entities import Dataset, DatasetVersion
from kozak.workspace import Workspace

FORMAT_VERSION = 1
NAME_ATTEMPTS = 5  # saves of different content racing for the next `vN`


def content_digest(content: VersionContent) -> str:
    """SHA-256 over the user's choices and every stored byte: same data + settings → same id."""
    digest = hashlib.sha256()
    digest.update(json.dumps(content.spec.user_choices(), sort_keys=True).encode())
    for data in content.features:
        values = data.values
        if isinstance(values, EncodedSequences):
            digest.update(np.ascontiguousarray(values.codes).data)
            digest.update(np.ascontiguousarray(values.lengths).data)
        elif isinstance(values, np.ndarray):
            digest.update(str(values.dtype).encode() + str(values.shape).encode())
            digest.update(np.ascontiguousarray(values).data)
        else:
            for buffer in values.buffers():
                if buffer is not None:
                    digest.update(memoryview(buffer))
    return digest.hexdigest()


def _write(content: VersionContent, folder: Path, sources: list[Source], digest: str) -> None:
    (folder / "features").mkdir()
    text: dict[str, pa.Array] = {}
    for i, data in enumerate(content.features):
        values = data.values
        if isinstance(values, EncodedSequences):
            np.save(folder / "features" / f"{i}.npy", values.codes)
            np.save(folder / "features" / f"{i}.lengths.npy", values.lengths)
        elif isinstance(values, np.ndarray):
            np.save(folder / "features" / f"{i}.npy", values)
        else:
            text[str(i)] = values
    if text:
        pq.write_table(pa.table(text), folder / "text.parquet")
    packed: dict[str, Any] = {f"s{i}": np.packbits(m) for i, m in enumerate(content.masks.values())}
    np.savez(folder / "subsets.npz", **packed)
    manifest = {
        "format_version": FORMAT_VERSION,
        "digest": digest,
        "rows": content.n_rows,
        "spec": content.spec.model_dump(mode="json"),
        "subsets": list(content.masks),
        "sources": [s.to_dict() for s in sources],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))


def save_version(
    workspace: Workspace,
    dataset: Dataset,
    content: VersionContent,
    sources: list[Source],
    name: str | None = None,
) -> DatasetVersion:
    """Store `content` as a new version of `dataset`, or return the identical one that exists.

    Raises:
        AlreadyExists: `name` is taken by another version of the dataset.
    """
    digest = content_digest(content)
    existing = workspace.metadata.find_dataset_version_by_digest(dataset.id, digest)
    if existing is not None:
        return existing
    path = f"datasets/{dataset.id}/{digest[:16]}-{secrets.token_hex(4)}"
    with workspace.artifacts.staged_dir(path) as folder:
        _write(content, folder, sources, digest)
    try:
        attempts = 0
        while True:
            attempts += 1
            version = DatasetVersion(
                dataset_id=dataset.id,
                name=name or _next_name(workspace, dataset),
                digest=digest,
                row_count=content.n_rows,
                spec=content.spec.model_dump(mode="json"),
                stats=content.stats,
                sources=[s.to_dict() for s in sources],
                subset_counts={k: int(m.sum()) for k, m in content.masks.items()},
                artifact_path=path,
            )
            try:
                return workspace.metadata.create_dataset_version(version)
            except AlreadyExists:
                # Saved at the same moment by someone else: the same content, or the same name.
                twin = workspace.metadata.find_dataset_version_by_digest(dataset.id, digest)
                if twin is not None:
                    workspace.artifacts.delete(path)
                    return twin
                if name is not None or attempts == NAME_ATTEMPTS:
                    raise
    except BaseException:
        workspace.artifacts.delete(path)  # no row points at these files; leave nothing behind
        raise


def _next_name(workspace: Workspace, dataset: Dataset) -> str:
    """The first free name of the form `vN`."""
    taken = {v.name for v in workspace.metadata.list_dataset_versions(dataset.id)}
    return next(f"v{n}" for n in range(1, len(taken) + 2) if f"v{n}" not in taken)


def _load_npy(workspace: Workspace, path: str) -> np.ndarray:
    local = workspace.artifacts.local_path(path)
    if local is not None:
        return np.load(local, mmap_mode="r")
    return np.load(io.BytesIO(workspace.artifacts.get_bytes(path)), allow_pickle=False)


def load_version(workspace: Workspace, version: DatasetVersion) -> VersionContent:
    """Read a stored version back (arrays memory-mapped when the store is local).

    Raises:
        SchemaMismatch: when the stored files were written by an incompatible format.
    """
    base = version.artifact_path
    manifest: dict[str, Any] = json.loads(workspace.artifacts.get_bytes(f"{base}/manifest.json"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise SchemaMismatch(
            f"version {version.name} was written in format {manifest.get('format_version')}, "
            f"this Kozak reads format {FORMAT_VERSION}",
            version=version.id,
        )
    spec = DatasetSpec.model_validate(manifest["spec"])
    text: pa.Table | None = None
    if any(f.type is FeatureType.STRING for f in spec.features):
        text = pq.read_table(io.BytesIO(workspace.artifacts.get_bytes(f"{base}/text.parquet")))
    features = []
    for i, feature in enumerate(spec.features):
        values: Any
        if feature.type is FeatureType.SEQUENCE:
            assert feature.sequence is not None
            values = EncodedSequences(
                _load_npy(workspace, f"{base}/features/{i}.npy"),
                _load_npy(workspace, f"{base}/features/{i}.lengths.npy"),
                feature.sequence.alphabet,
            )
        elif feature.type is FeatureType.STRING:
            assert text is not None
            values = text.column(str(i)).combine_chunks()
        else:
            values = _load_npy(workspace, f"{base}/features/{i}.npy")
        features.append(FeatureData(feature, values))
    packed = np.load(io.BytesIO(workspace.artifacts.get_bytes(f"{base}/subsets.npz")))
    masks = {
        name: np.unpackbits(packed[f"s{i}"], count=manifest["rows"]).astype(bool)
        for i, name in enumerate(manifest["subsets"])
    }
    return VersionContent(spec, features, masks, done(version.stats), version.stats.get("warnings", []))


# Not compared: statistics follow from the rest, and `source` is the column a feature was read
# from, which a draft made from a version names by the feature's saved name.
_NOT_DIFFED = ("stats", "source")
# Fields added after versions were first stored, as an older version (without them) means them.
_UNSET = {"on_invalid": "refuse"}


def diff_versions(old: DatasetVersion, new: DatasetVersion) -> dict[str, Any]:
    """What changed between two versions: features, encodings, subsets and row counts."""

    def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {item["name"]: item for item in items}

    result: dict[str, Any] = {"rows": [old.row_count, new.row_count]}
    for key in ("features", "subsets"):
        a, b = by_name(old.spec[key]), by_name(new.spec[key])
        changed = {}
        for name in sorted(a.keys() & b.keys()):
            before, after = {**_UNSET, **a[name]}, {**_UNSET, **b[name]}
            fields = {
                field: [before.get(field), after.get(field)]
                for field in sorted(a[name].keys() | b[name].keys())
                if before.get(field) != after.get(field) and field not in _NOT_DIFFED
            }
            if fields:
                changed[name] = fields
        result[key] = {
            "added": sorted(b.keys() - a.keys()),
            "removed": sorted(a.keys() - b.keys()),
            "changed": changed,
        }
    result["subset_counts"] = {
        name: [old.subset_counts.get(name), new.subset_counts.get(name)]
        for name in sorted(old.subset_counts.keys() | new.subset_counts.keys())
        if old.subset_counts.get(name) != new.subset_counts.get(name)
    }
    return result
