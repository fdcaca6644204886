"""Deployment: trained experiments answering REST requests, in the platform or standalone.

`model.ServingModel` turns a checkpoint into rows → predictions; `deployments` manages a
workspace's deployments; `host` finds a request's model (`DeploymentHost` in the platform,
`SingleModel` for `kozak serve`); `microbatcher` merges concurrent forwards; `variants` computes
variant effects. Outside a server, `export` writes a model as ONNX or TorchScript and
`predict_file` predicts files.
"""

from kozak.deploy.deployments import (
    create_deployment,
    delete_deployment,
    get_deployment,
    list_deployments,
    regenerate_token,
    set_enabled,
)
from kozak.deploy.model import RowError, ServingModel

__all__ = [
    "RowError",
    "ServingModel",
    "create_deployment",
    "delete_deployment",
    "get_deployment",
    "list_deployments",
    "regenerate_token",
    "set_enabled",
]
