"""The shipped folders: the package's own copy when installed from the wheel, the
checkout's top-level folder when run from the repository."""

from __future__ import annotations

import tomllib

from service import paths
from service.settings import BASE_DIR


def test_from_the_checkout_the_folders_are_the_top_level_ones():
    assert paths.TEMPLATES_DIR == BASE_DIR / "templates"
    assert paths.LOCALES_DIR == BASE_DIR / "locales"
    assert paths.MIGRATIONS_DIR == BASE_DIR / "migrations"
    assert (paths.TEMPLATES_DIR / "base.html").is_file()
    assert (paths.STATIC_DIR / "favicon.svg").is_file()


def test_a_folder_inside_the_package_wins(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "service"
    (package / "templates").mkdir(parents=True)
    monkeypatch.setattr(paths, "PACKAGE_DIR", package)
    monkeypatch.setattr(paths, "CHECKOUT_DIR", tmp_path / "site-packages")
    assert paths.shipped_dir("templates") == package / "templates"


def test_an_installed_tupa_keeps_its_data_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "CHECKOUT_DIR", tmp_path / "site-packages")
    monkeypatch.chdir(tmp_path)
    assert paths.default_data_dir() == tmp_path / "var"


def test_the_wheel_carries_every_folder_the_code_reads_from_the_checkout():
    pyproject = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    force_include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for folder in (paths.TEMPLATES_DIR, paths.LOCALES_DIR, paths.MIGRATIONS_DIR):
        assert force_include[folder.name] == f"service/{folder.name}"
