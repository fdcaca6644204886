"""Presets: the paper's numbers, every preset documented with a source, length overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from kozak.errors import InvalidConfig
from kozak.graph import PRESETS, infer, preset, validate_graph

DOCS = Path(__file__).resolve().parents[3] / "docs" / "models.md"


def test_at_least_four_presets_beyond_the_paper() -> None:
    others = set(PRESETS.names()) - {"cuperus2017", "cuperus2017-tutorial"}
    assert len(others) >= 4


@pytest.mark.parametrize("name", PRESETS.names())
def test_every_preset_is_valid_sourced_and_documented(name: str) -> None:
    p = PRESETS.get(name)
    assert p.source and p.url.startswith("https://doi.org/")
    report = validate_graph(p.build())
    assert report.ok, report.issues
    assert not report.warnings, report.warnings
    assert f"`{name}`" in DOCS.read_text(encoding="utf-8")
    assert p.url in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "params", "shapes"),
    [
        ("cuperus2017", 1_451_137, {"conv1": (1, 54, 128), "flatten": (6912,)}),
        (
            "cuperus2017-tutorial",
            711_681,
            {
                "conv1": (1, 58, 128),
                "conv2": (1, 46, 128),
                "conv3": (1, 34, 128),
                "flatten": (4352,),
                "dense1": (64,),
            },
        ),
        # Basset's first fully connected layer reads 200 x 10 = 2000 values at 600 bp
        ("basset", None, {"flatten": (2000,), "dense3": (164,)}),
        ("deepsea", None, {"pool2": (480, 60), "conv3": (960, 53), "flatten": (50880,)}),
        ("deepstarr", None, {"flatten": (1800,), "dev": (1,), "hk": (1,)}),
    ],
)
def test_preset_numbers(name: str, params: int | None, shapes: dict[str, tuple[int, ...]]) -> None:
    info = infer(preset(name))
    if params is not None:
        assert info.total_params == params
    for node, shape in shapes.items():
        assert info.node(node).output_shape == shape


def test_preset_length_override_and_errors() -> None:
    assert infer(preset("deepsea", 2000)).node("dense2").output_shape == (919,)
    with pytest.raises(InvalidConfig, match="positive"):
        preset("deepsea", 0)
    with pytest.raises(InvalidConfig, match="cuperus2017"):
        preset("cuperus")
