"""Alembic environment: runs on the engine Kozak hands over in `config.attributes["engine"]`.

On SQLite, foreign keys are off while migrations run: batch mode rebuilds a table by copying it
and dropping the original, and with foreign keys on that drop would cascade into every child row.
They are checked once the migrations are done, and the connection is then discarded, never
handed back to the pool with foreign keys off.
"""

from alembic import context

from kozak.store.tables import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    try:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=sqlite)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migrations left rows without their parent: {broken[:5]}")
    finally:
        if sqlite:
            connection.invalidate()
