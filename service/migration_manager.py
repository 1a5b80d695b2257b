"""Piccolo's migration manager with the two things Tupa's migrations need on top.

- `add_raw_after`: raw SQL that runs once the migration's tables exist (partial and
  composite indexes, reference data). Piccolo's own `add_raw` runs before them.
- Composite `Unique` constraints on SQLite. Piccolo adds them with
  `ALTER TABLE ... ADD CONSTRAINT`, which SQLite does not have; there they become
  unique indexes of the same name, which enforce the same rule.

Migrations build their manager with `PortableMigrationManager(...)` instead of
Piccolo's `MigrationManager`; what it records for the schema snapshot (and so for
`piccolo migrations new --auto`) is the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from piccolo.apps.migrations.auto.migration_manager import (
    AddConstraintClass,
    AddConstraintCollection,
    MigrationManager,
)
from piccolo.constraints import Unique
from piccolo.engine import engine_finder
from piccolo.engine.base import Engine

RawStatement = Callable[[], Awaitable[None]]


@dataclass
class PortableMigrationManager(MigrationManager):
    raw_after: list[RawStatement] = field(default_factory=list)

    def add_raw_after(self, statement: RawStatement) -> None:
        """Run `statement` (an async function) after the tables and columns are made."""
        self.raw_after.append(statement)

    async def run(self, backwards: bool = False) -> None:
        engine = _engine()
        if backwards or self.preview or not self.raw_after:
            await super().run(backwards=backwards)
            return
        # Piccolo's own transaction inside this one is a no-op (allow_nested), so the
        # tables and the statements after them commit together.
        async with engine.transaction():
            await super().run(backwards=backwards)
            for statement in self.raw_after:
                await statement()

    async def _run_add_tables(self, backwards: bool = False) -> None:
        if backwards or not _on_sqlite():
            await super()._run_add_tables(backwards=backwards)
            return
        new_tables = {table.class_name for table in self.add_tables}
        held = self.add_constraints
        self.add_constraints = AddConstraintCollection(
            [item for item in held.add_constraints if item.table_class_name not in new_tables]
        )
        try:
            await super()._run_add_tables(backwards=backwards)
        finally:
            self.add_constraints = held
        for item in held.add_constraints:
            if item.table_class_name in new_tables and not self.preview:
                await _engine().run_ddl(sqlite_unique_index(item))

    async def _run_add_constraints(self, backwards: bool = False) -> None:
        if backwards or not _on_sqlite():
            await super()._run_add_constraints(backwards=backwards)
            return
        new_tables = {table.class_name for table in self.add_tables}
        for item in self.add_constraints.add_constraints:
            if item.table_class_name not in new_tables and not self.preview:
                await _engine().run_ddl(sqlite_unique_index(item))

    async def _run_drop_constraints(self, backwards: bool = False) -> None:
        if backwards or not _on_sqlite():
            await super()._run_drop_constraints(backwards=backwards)
            return
        for item in self.drop_constraints.drop_constraints:
            if not self.preview:
                await _engine().run_ddl(f'DROP INDEX IF EXISTS "{item.constraint_name}"')


def sqlite_unique_index(item: AddConstraintClass) -> str:
    """The SQLite statement that enforces a composite `Unique` constraint."""
    constraint = item.constraint
    if not isinstance(constraint, Unique) or not constraint.nulls_distinct:
        raise NotImplementedError(
            f"{item.tablename}.{constraint._meta.name}: SQLite can only add a unique "
            "constraint (with distinct NULLs) to a table; write it as raw SQL"
        )
    columns = ", ".join(f'"{name}"' for name in constraint.get_column_names())
    return (
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{constraint._meta.name}" '
        f'ON "{item.tablename}" ({columns})'
    )


def _engine() -> Engine:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no Piccolo engine is configured")
    return engine


def _on_sqlite() -> bool:
    return _engine().engine_type == "sqlite"
