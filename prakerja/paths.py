"""Locations inside the repository (code and reference data), never inside the warehouse."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_FILE = REPO_ROOT / "contracts" / "deliveries.yml"
REFERENCE_DIR = REPO_ROOT / "reference"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DASHBOARD_DIR = REPO_ROOT / "dashboard"
