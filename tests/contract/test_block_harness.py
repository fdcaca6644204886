"""One harness for every registered block, plus meta-tests that keep the registry covered.

`check_block` verifies: params round-trip through JSON; the declared shape rule equals the eager
output shape and the meta-device trace; the declared parameter count equals the module's; every
parameter (and a float input) gets a gradient; a fixed seed gives a fixed output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import torch

from kozak.blocks import BLOCKS, BlockType, Shape, check_params, trace_output_shape
from kozak.graph.graph_spec import Node

DOCS = Path(__file__).resolve().parents[2] / "docs" / "models.md"


@dataclass(frozen=True)
class Case:
    """Params and input shapes for one harness run; `vocab` marks integer-code inputs."""

    params: dict[str, Any]
    input_shapes: list[Shape]
    vocab: int | None = None
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


ACTIVATIONS = ["relu", "gelu", "elu", "sigmoid", "softmax", "tanh", "linear", "exp", "softplus"]

CASES: dict[str, list[Case]] = {
    "input": [
        Case({"feature": "seq", "shape": [4, 6, 1]}, [(4, 6)], label="reshape"),
        Case({"feature": "x"}, [(3,)], label="as-is"),
    ],
    "target": [Case({"feature": "y", "loss": "mse"}, [(2,)])],
    "dense": [
        Case({"units": 3}, [(5,)]),
        Case({"units": 2, "activation": "softmax", "use_bias": False}, [(4,)], label="softmax"),
    ],
    "dropout": [Case({"rate": 0.5}, [(3, 4)])],
    "flatten": [Case({}, [(2, 3, 4)])],
    "reshape": [Case({"shape": [-1, 2]}, [(3, 4)]), Case({"shape": [12]}, [(3, 4)])],
    "permute": [Case({"dims": [1, 0]}, [(3, 5)]), Case({"dims": [2, 0, 1]}, [(2, 3, 4)])],
    "activation": [Case({"function": f}, [(3, 4)], label=f) for f in ACTIVATIONS]
    + [Case({"function": "softmax", "axis": -1}, [(2, 3, 4)], label="softmax-last")],
    "embedding": [Case({"vocab_size": 5, "dim": 3}, [(7,)], vocab=5)],
    "conv1d": [
        Case({"filters": 4, "kernel_size": 3}, [(4, 10)], label="valid"),
        Case(
            {"filters": 3, "kernel_size": 4, "stride": 2, "dilation": 2, "padding": "same"},
            [(4, 11)],
            label="same-strided-dilated",
        ),
        Case({"filters": 8, "kernel_size": 3, "depthwise": True}, [(4, 10)], label="depthwise"),
        Case({"filters": 6, "kernel_size": 3, "rc_equivariant": True}, [(4, 10)], label="rc"),
    ],
    "conv2d": [
        Case({"filters": 5, "width": 3, "height": 4}, [(4, 9, 1)], label="tutorial-like"),
        Case(
            {"filters": 3, "width": 3, "height": 2, "stride": 2, "padding": "same"},
            [(5, 7, 2)],
            label="same-strided",
        ),
        Case(
            {"filters": 4, "width": 3, "height": 1, "depthwise": True, "dilation": 2},
            [(1, 9, 2)],
            label="depthwise-dilated",
        ),
    ],
    "max_pool1d": [
        Case({"pool_size": 2}, [(3, 9)]),
        Case({"pool_size": 3, "stride": 1, "padding": "same"}, [(3, 8)], label="same"),
    ],
    "avg_pool1d": [
        Case({"pool_size": 2}, [(3, 9)]),
        Case({"pool_size": 3, "stride": 2, "padding": "same"}, [(3, 8)], label="same"),
    ],
    "max_pool2d": [
        Case({"width": 2, "height": 1}, [(1, 9, 3)]),
        Case({"width": 3, "height": 2, "stride": 2, "padding": "same"}, [(3, 7, 2)], label="same"),
    ],
    "avg_pool2d": [
        Case({"width": 2, "height": 2}, [(4, 6, 3)]),
        Case({"width": 3, "height": 3, "stride": 1, "padding": "same"}, [(3, 5, 2)], label="same"),
    ],
    "global_pool1d": [Case({"mode": "max"}, [(3, 7)]), Case({"mode": "avg"}, [(3, 7)])],
    "global_pool2d": [Case({"mode": "max"}, [(2, 5, 3)]), Case({"mode": "avg"}, [(2, 5, 3)])],
    "batch_norm": [
        Case({}, [(3, 5)], label="channels-first"),
        Case({"axis": -1}, [(2, 3, 4)], label="channels-last"),
        Case({}, [(4,)], label="vector"),
    ],
    "layer_norm": [Case({}, [(3, 5)]), Case({"axis": -1}, [(2, 3, 4)], label="channels-last")],
    "add": [Case({}, [(3, 4), (3, 4)]), Case({}, [(5,), (5,), (5,)], label="three")],
    "multiply": [Case({}, [(3, 4), (3, 4)])],
    "concatenate": [
        Case({"axis": 0}, [(3, 4), (2, 4)], label="channels"),
        Case({"axis": -1}, [(2, 3), (2, 5), (2, 1)], label="last"),
    ],
    "lstm": [
        Case({"units": 3}, [(4, 6)]),
        Case({"units": 3, "bidirectional": True, "return_sequences": True}, [(4, 6)], label="bi-seq"),
        Case({"units": 2, "bidirectional": True, "num_layers": 2}, [(3, 5)], label="bi-2layer"),
    ],
    "gru": [
        Case({"units": 3}, [(4, 6)]),
        Case({"units": 2, "bidirectional": True, "return_sequences": True}, [(3, 5)], label="bi-seq"),
    ],
    "transformer": [
        Case({"heads": 2, "ff_dim": 8, "dropout": 0.0}, [(4, 5)]),
        Case(
            {"heads": 1, "ff_dim": 6, "activation": "relu", "norm_first": False},
            [(3, 4)],
            label="post-norm",
        ),
    ],
    "position_embedding": [Case({}, [(3, 5)])],
}


def _inputs(case: Case, seed: int = 0) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    if case.vocab is not None:
        return [torch.randint(0, case.vocab, (2, *s), generator=gen) for s in case.input_shapes]
    # positive, away from zero: keeps exp/log-style blocks and max ties well conditioned
    return [(torch.rand((2, *s), generator=gen) + 0.1).requires_grad_(True) for s in case.input_shapes]


def check_block(block: BlockType, case: Case) -> None:
    """Run the five harness checks for one block and one case."""
    params = check_params(block, case.params)
    shapes = [tuple(s) for s in case.input_shapes]

    # 1. params round-trip through JSON, alone and inside a graph node
    assert block.params_model.model_validate_json(params.model_dump_json()) == params
    node = Node(id="n", type=block.type_name, params=case.params)
    assert Node.model_validate_json(node.model_dump_json()) == node
    assert node.parsed_params == params

    # 2. declared shape == eager shape == meta-device trace
    declared = block.output_shape(shapes, params)
    torch.manual_seed(0)
    module = block.build(shapes, params)
    xs = _inputs(case)
    out = module(*xs)
    assert tuple(out.shape) == (2, *declared), f"declared {declared}, eager {tuple(out.shape)}"
    assert trace_output_shape(block, shapes, params) == declared
    assert block.declares_shape_rule()

    # parameter and FLOP rules
    real = sum(p.numel() for p in module.parameters() if p.requires_grad)
    assert block.param_count(shapes, params) == real
    flops = block.flops(shapes, declared, params)
    assert isinstance(flops, int) and flops >= 0

    # 3. every parameter (and every float input) gets a non-zero gradient
    weights = torch.randn(out.shape, generator=torch.Generator().manual_seed(1))
    (out.float() * weights).sum().backward()
    for name, p in module.named_parameters():
        assert p.grad is not None, f"parameter {name} got no gradient"
        assert torch.isfinite(p.grad).all(), f"parameter {name} has a non-finite gradient"
        assert p.grad.abs().sum() > 0, f"parameter {name} got a zero gradient"
    if case.vocab is None:
        for x in xs:
            assert x.grad is not None and x.grad.abs().sum() > 0, "no gradient reached the input"

    # 4. a fixed seed gives a fixed output (train and eval mode)
    for train in (True, False):
        outs = []
        for _ in range(2):
            torch.manual_seed(123)
            m = block.build(shapes, params).train(train)
            torch.manual_seed(7)
            outs.append(m(*_inputs(case, seed=3)).detach())
        assert torch.equal(outs[0], outs[1])


HARNESS = [
    pytest.param(name, case, id=f"{name}-{case.label or i}")
    for name, cases in CASES.items()
    for i, case in enumerate(cases)
]


@pytest.mark.parametrize(("name", "case"), HARNESS)
def test_block_harness(name: str, case: Case) -> None:
    check_block(BLOCKS.get(name), case)


@pytest.mark.parametrize("name", BLOCKS.names())
def test_every_registered_block_has_a_harness_case(name: str) -> None:
    assert CASES.get(name), f"block {name!r} is registered but has no harness case in CASES"


@pytest.mark.parametrize("name", BLOCKS.names())
def test_every_registered_block_is_documented(name: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert re.search(rf"`{re.escape(name)}`", text), f"docs/models.md does not mention `{name}`"


@pytest.mark.parametrize("name", BLOCKS.names())
def test_every_block_declares_its_rules_and_describes_its_params(name: str) -> None:
    block = BLOCKS.get(name)
    assert block.declares_shape_rule(), f"{name} falls back to tracing; declare output_shape"
    assert "Input shape:" in (block.__doc__ or "") and "Output shape:" in (block.__doc__ or "")
    for field_name, info in block.params_model.model_fields.items():
        assert info.description, f"{name}.{field_name} has no description"
        extra = info.json_schema_extra
        assert isinstance(extra, dict) and extra.get("display_name") and extra.get("group"), (
            f"{name}.{field_name} lacks UI hints"
        )


def test_harness_cases_only_name_registered_blocks() -> None:
    assert set(CASES) <= set(BLOCKS.names())


@pytest.mark.parametrize(("name", "case"), HARNESS)
def test_block_runs_under_bfloat16_autocast(name: str, case: Case) -> None:
    """What `precision: bf16` (auto on CPUs with AMX) does: bf16 inputs, autocast, fp32 weights."""
    block = BLOCKS.get(name)
    params = check_params(block, case.params)
    shapes = [tuple(s) for s in case.input_shapes]
    torch.manual_seed(0)
    module = block.build(shapes, params).eval()  # eval: both passes drop out nothing
    exact = [x.detach() for x in _inputs(case)]
    reduced = [x if case.vocab is not None else x.bfloat16().requires_grad_(True) for x in exact]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = module(*reduced)
    out.float().sum().backward()
    assert torch.isfinite(out.float()).all()
    grads = [p.grad for p in module.parameters()] + [x.grad for x in reduced if x.is_floating_point()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    expected = module(*exact).detach()
    # bf16 keeps 8 significant bits; measured worst 0.0083 of the scale (layer_norm), so 6x room
    scale = expected.abs().max().clamp_min(1.0)
    assert (out.detach().float() - expected).abs().max() <= 0.05 * scale
