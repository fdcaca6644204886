"""Datasets: read files, detect features, define subsets, save immutable versions.

draft = import_files(workspace, ["Native_UTRs.csv.gz"], name="Native", project="Yeast")
draft.rename("UTR", "seq").set_encoding("seq", alignment="right", length=50, padding=20)
version = draft.save()
"""

from kozak.data.dataset_catalog import find_version, list_datasets
from kozak.data.dataset_spec import DatasetSpec
from kozak.data.editor import DatasetEditor, edit_version, import_files
from kozak.data.feature_spec import FeatureSpec, FeatureType, SequenceEncoding
from kozak.data.subsets import Condition, FilterSubset, RandomSubset, RankSubset, split
from kozak.data.versions import diff_versions, load_version

__all__ = [
    "Condition",
    "DatasetEditor",
    "DatasetSpec",
    "FeatureSpec",
    "FeatureType",
    "FilterSubset",
    "RandomSubset",
    "RankSubset",
    "SequenceEncoding",
    "diff_versions",
    "edit_version",
    "find_version",
    "import_files",
    "list_datasets",
    "load_version",
    "split",
]
