"""One settings object for a run, read from a TOML file over the shipped defaults."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.errors import PetitionError
from pipeline.paths import CORPORA_DIR, PROJECT_DIR

DEFAULT_CONFIG = CORPORA_DIR / "config" / "default.toml"


@dataclass
class Settings:
    """Everything `petition run` can be told, with where each value came from kept out of sight."""

    values: dict = field(default_factory=dict)
    source: str = str(DEFAULT_CONFIG)

    def get(self, section: str, key: str, default=None):
        return self.values.get(section, {}).get(key, default)

    def path(self, section: str, key: str) -> Path:
        value = self.get(section, key)
        if not value:
            raise PetitionError(f"config {self.source}: [{section}] {key} is not set")
        path = Path(value)
        return path if path.is_absolute() else PROJECT_DIR / path

    def as_of(self) -> date:
        value = self.get("run", "as_of")
        return date.fromisoformat(value) if value else date.today()

    def section(self, name: str) -> dict:
        return dict(self.values.get(name, {}))


def load_settings(path: str | Path | None = None) -> Settings:
    """Defaults from corpora/config/default.toml, overridden key by key by the user's file.

    A section or key the defaults do not have is an error that names it: a misspelt key
    (`[link] treshold`) would otherwise be ignored and the run would quietly use the default."""
    values = _read(DEFAULT_CONFIG)
    if path:
        for section, entries in _read(Path(path)).items():
            if section not in values:
                raise PetitionError(f"config {path}: unknown section [{section}]; sections are {sorted(values)}")
            if not isinstance(entries, dict):
                raise PetitionError(f"config {path}: {section} must be a section ([{section}]), not a value")
            unknown = sorted(set(entries) - set(values[section]))
            if unknown:
                raise PetitionError(f"config {path}: unknown key(s) {unknown} in [{section}]; "
                                    f"its keys are {sorted(values[section])}")
            values[section].update(entries)
    return Settings(values, str(path or DEFAULT_CONFIG))


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise PetitionError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise PetitionError(f"config file {path} is not valid TOML: {error}") from None
