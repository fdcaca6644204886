"""The platform server: a FastAPI app over the library (`kozak.server.app.create_app(settings)`).

The package itself imports nothing, so that a process which needs one of its light modules (a
bulk process, `kozak.server.bulk`) does not load the app and, through it, PyTorch.
"""
