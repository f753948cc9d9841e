"""The delivery contracts (contracts/deliveries.yml) as typed objects, and file-name matching."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prakerja.errors import ConfigError
from prakerja.paths import CONTRACTS_FILE

# Rule names shared with the generator's defect manifest (see the header of deliveries.yml).
ROW_RULES: tuple[str, ...] = (
    "malformed_row",
    "missing_required",
    "invalid_type",
    "invalid_value",
    "unknown_code",
    "invalid_nik",
    "nik_mismatch",
    "date_out_of_range",
    "amount_out_of_rules",
    "duplicate_row",
    "duplicate_key",
)
FILE_RULES: tuple[str, ...] = (
    "unreadable_file",
    "empty_file",
    "missing_column",
    "unknown_file",
    "wrong_format",
)

# Contract type -> DuckDB type of the loaded column.
SQL_TYPES: dict[str, str] = {
    "varchar": "varchar",
    "integer": "integer",
    "decimal": "decimal(18,2)",
    "date": "date",
    "timestamp": "timestamp",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    accepted_values: tuple[str, ...] | None = None
    pattern: str | None = None
    min: Any = None
    max: Any = None
    code_list: str | None = None
    format: str | None = None
    pii: str | None = None  # "hash" | "drop" | None
    hashed_to: str | None = None

    @property
    def is_pii(self) -> bool:
        return self.pii is not None


@dataclass(frozen=True)
class Entity:
    entity: str
    family: str
    raw_table: str
    file_patterns: tuple[str, ...]
    formats: tuple[str, ...]
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    derived: tuple[Column, ...] = ()
    layout: str = "long"
    row_checks: tuple[str, ...] = field(default=())

    @property
    def qualified_table(self) -> str:
        return f"{self.family}.{self.raw_table}"

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        """Columns that pass the boundary: non-PII delivered columns, then derived ones."""
        return tuple(c for c in self.columns if not c.is_pii) + self.derived

    @property
    def nik_column(self) -> Column | None:
        """The delivered NIK: the source of participant_key and nik_province_code."""
        return next((c for c in self.columns if c.format == "nik"), None)

    @property
    def birth_date_column(self) -> Column | None:
        """The delivered (personal) birth date: the source of birth_year."""
        return next((c for c in self.columns if c.type == "date" and c.is_pii), None)

    def matches(self, file_name: str) -> bool:
        name = file_name.lower()
        return any(fnmatch.fnmatchcase(name, p.lower()) for p in self.file_patterns)


def _column(raw: dict[str, Any]) -> Column:
    accepted = raw.get("accepted_values")
    return Column(
        name=str(raw["name"]),
        type=str(raw.get("type", "varchar")),
        required=bool(raw.get("required", False)),
        accepted_values=tuple(str(v) for v in accepted) if accepted is not None else None,
        pattern=raw.get("pattern"),
        min=raw.get("min"),
        max=raw.get("max"),
        code_list=raw.get("code_list"),
        format=raw.get("format"),
        pii=raw.get("pii"),
        hashed_to=raw.get("hashed_to"),
    )


def load_contracts(path: Path = CONTRACTS_FILE) -> list[Entity]:
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the delivery contracts {path}: {exc}") from exc
    entities = []
    for raw in doc["deliveries"]:
        entities.append(
            Entity(
                entity=raw["entity"],
                family=raw["family"],
                raw_table=raw["raw_table"],
                file_patterns=tuple(raw["file_pattern"]),
                formats=tuple(raw["formats"]),
                primary_key=tuple(raw["primary_key"]),
                columns=tuple(_column(c) for c in raw["columns"]),
                derived=tuple(_column(c) for c in raw.get("derived", [])),
                layout=raw.get("layout", "long"),
                row_checks=tuple(c["rule"] for c in raw.get("row_checks", [])),
            )
        )
    return entities


def match_entity(file_name: str, entities: list[Entity]) -> Entity | None:
    """The first entity whose file_pattern matches the name (case-insensitive), as the contract
    says; None for a name no contract claims."""
    for entity in entities:
        if entity.matches(file_name):
            return entity
    return None
