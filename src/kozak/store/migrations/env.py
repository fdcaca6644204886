"""Alembic environment: runs on the engine Kozak hands over in `config.attributes["engine"]`."""

from alembic import context

from kozak.store.tables import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
