"""The platform server: a FastAPI app over the library (`create_app(settings)`)."""

from kozak.server.app import create_app

__all__ = ["create_app"]
