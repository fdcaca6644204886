"""Compilation: real output shapes equal inferred ones, forward by feature name, input checks."""

from __future__ import annotations

import pytest
import torch

from kozak.errors import InvalidConfig, SchemaMismatch, ShapeError
from kozak.graph import PRESETS, FeatureInfo, GraphSpec, chain, compile_graph, preset


@pytest.mark.parametrize("name", PRESETS.names())
def test_every_preset_compiles_with_the_inferred_shapes_and_counts(name: str) -> None:
    with torch.device("meta"):  # full-size presets, no memory allocated
        module = compile_graph(preset(name))
        outputs: dict[str, torch.Tensor] = {}
        hooks = [
            m.register_forward_hook(
                lambda _m, _i, out, node_id=node_id: outputs.__setitem__(node_id, out)
            )
            for node_id, m in module.blocks.items()
        ]
        result = module({f: torch.empty(2, *s) for f, s in module.input_shapes.items()})
    for hook in hooks:
        hook.remove()
    for node in module.info.nodes:
        assert tuple(outputs[node.id].shape) == (2, *node.output_shape), node.id  # type: ignore[misc]
    assert {f: tuple(t.shape[1:]) for f, t in result.items()} == module.output_shapes
    real = sum(p.numel() for p in module.parameters() if p.requires_grad)
    assert real == module.info.total_params


def test_cuperus2017_trains_a_step_on_cpu(yeast_features: dict[str, FeatureInfo]) -> None:
    torch.manual_seed(0)
    module = compile_graph(preset("cuperus2017"), yeast_features)
    assert sum(p.numel() for p in module.parameters()) == 1_451_137
    assert module.losses == {"growth_rate": "mse"}
    seq = torch.nn.functional.one_hot(torch.randint(0, 4, (8, 70)), 4).float().transpose(1, 2)
    out = module({"seq": seq})
    assert out["growth_rate"].shape == (8, 1)
    loss = torch.nn.functional.mse_loss(out["growth_rate"], torch.rand(8, 1))
    loss.backward()
    assert all(p.grad is not None for p in module.parameters())


def test_multi_input_graph_runs_by_feature_name() -> None:
    spec = GraphSpec.from_data(
        {
            "nodes": [
                {"id": "seq", "type": "input", "params": {"feature": "seq", "shape": [4, 12]}},
                {"id": "gc", "type": "input", "params": {"feature": "gc", "shape": [1]}},
                {"id": "conv", "type": "conv1d", "params": {"filters": 3, "kernel_size": 3}},
                {"id": "pool", "type": "global_pool1d", "params": {"mode": "avg"}},
                {"id": "join", "type": "concatenate", "params": {}},
                {"id": "out", "type": "dense", "params": {"units": 2, "activation": "linear"}},
                {"id": "y", "type": "target", "params": {"feature": "y"}},
            ],
            "edges": [
                ["seq", "conv"],
                ["conv", "pool"],
                ["pool", "join"],
                ["gc", "join"],
                ["join", "out"],
                ["out", "y"],
            ],
        }
    )
    module = compile_graph(spec).eval()
    x = {"seq": torch.rand(5, 4, 12), "gc": torch.rand(5, 1)}
    y = module(x)["y"]
    assert y.shape == (5, 2)
    # the numeric feature really reaches the output
    x2 = {"seq": x["seq"], "gc": x["gc"] + 1.0}
    assert not torch.allclose(module(x2)["y"], y)


def test_forward_checks_its_inputs() -> None:
    module = compile_graph(preset("cuperus2017-tutorial"))
    with pytest.raises(SchemaMismatch, match="seq"):
        module({"sequence": torch.rand(2, 4, 70, 1)})
    with pytest.raises(ShapeError) as err:
        module({"seq": torch.rand(2, 4, 60, 1)})
    assert err.value.details["expected"] == [4, 70, 1]


def test_compiling_an_invalid_graph_raises() -> None:
    spec = chain(("x", "input", {"shape": [3]}), ("t", "target", {"feature": "y"}))
    with pytest.raises(InvalidConfig) as err:
        compile_graph(spec)
    assert err.value.details["code"] == "input.no_feature"


def test_target_heads_run_in_float32_under_autocast() -> None:
    graph = chain(
        ("seq", "input", {"feature": "seq", "shape": [4, 20]}),
        ("conv", "conv1d", {"filters": 8, "kernel_size": 5, "activation": "relu"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 3, "activation": "softmax"}),
        ("label", "target", {"feature": "label", "loss": "categorical_crossentropy"}),
    )
    torch.manual_seed(0)
    module = compile_graph(graph).eval()
    seq = torch.nn.functional.one_hot(torch.randint(0, 4, (16, 20)), 4).transpose(1, 2)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        probabilities = module({"seq": seq.bfloat16()})["label"]
    assert probabilities.dtype == torch.float32
    # a bf16 softmax sums to 1 only within ~2^-8 (measured 1.002); the float32 head within 1e-6
    assert torch.allclose(probabilities.sum(dim=1), torch.ones(16), atol=1e-6)
    exact = module({"seq": seq.float()})["label"]
    assert torch.allclose(probabilities, exact, atol=0.02)
