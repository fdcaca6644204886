"""Fixtures for training tests: small dataset versions (native and synthetic) and a small graph."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from kozak.data import import_files, load_version
from kozak.data.prepare import VersionContent
from kozak.graph import GraphSpec, chain
from kozak.settings import Settings
from kozak.workspace import Workspace

NATIVE_UTRS = Path(__file__).resolve().parents[4] / "shared/data/cuperus2017/Native_UTRs.csv.gz"


def _version(home: Path, csv: Path, normalization: str = "none") -> VersionContent:
    workspace = Workspace.open(Settings(home=home))
    draft = import_files(workspace, [csv], name="Data", project="Tests")
    draft.rename("UTR", "seq").set_encoding("seq", alignment="right", length=50, padding=10)
    if normalization != "none":
        draft.set_normalization("growth_rate", normalization)
    return load_version(workspace, draft.save())


@pytest.fixture(scope="session")
def native_content(tmp_path_factory: pytest.TempPathFactory) -> VersionContent:
    """The first 2,000 rows of the authors' native library (80/20 training/validation)."""
    if not NATIVE_UTRS.exists():
        pytest.skip(f"{NATIVE_UTRS} is absent; real-data tests skipped")
    folder = tmp_path_factory.mktemp("native")
    table = pacsv.read_csv(NATIVE_UTRS).select(["UTR", "growth_rate"]).slice(0, 2000)
    pacsv.write_csv(table, folder / "native.csv")
    return _version(folder / "home", folder / "native.csv")


def synthetic_table(rows: int, seed: int = 0) -> pa.Table:
    """Random 30-50 nt UTRs whose growth rate rises with their GC content, plus noise."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(30, 51, rows)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, (rows, 50))]
    seqs = [row[:n].tobytes().decode() for row, n in zip(letters, lengths, strict=True)]
    gc = np.array([(s.count("G") + s.count("C")) / len(s) for s in seqs])
    growth = 3.0 * gc + 0.1 * rng.standard_normal(rows) + 5.0
    return pa.table({"UTR": seqs, "growth_rate": growth})


@pytest.fixture(scope="session")
def make_synthetic(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[int, str], VersionContent]:
    """Builds a synthetic version of `rows` rows with the target normalised as asked."""
    cache: dict[tuple[int, str], VersionContent] = {}

    def make(rows: int, normalization: str = "zscore") -> VersionContent:
        if (rows, normalization) not in cache:
            folder = tmp_path_factory.mktemp("synthetic")
            pacsv.write_csv(synthetic_table(rows), folder / "data.csv")
            cache[rows, normalization] = _version(folder / "home", folder / "data.csv", normalization)
        return cache[rows, normalization]

    return make


@pytest.fixture
def synthetic(make_synthetic: Callable[[int, str], VersionContent]) -> VersionContent:
    """600 synthetic rows, target z-scored."""
    return make_synthetic(600, "zscore")


@pytest.fixture(scope="session")  # frozen, so one spec serves every test
def small_graph() -> GraphSpec:
    """A small CNN on the (4, 70) UTR with dropout (so resuming must restore the RNG)."""
    return chain(
        ("seq", "input", {"feature": "seq"}),
        ("conv", "conv1d", {"filters": 8, "kernel_size": 9, "activation": "relu"}),
        ("pool", "max_pool1d", {"pool_size": 4}),
        ("flatten", "flatten", {}),
        ("dropout", "dropout", {"rate": 0.2}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("growth_rate", "target", {"feature": "growth_rate", "loss": "mse"}),
        name="small",
    )
