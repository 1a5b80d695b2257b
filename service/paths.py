"""Where the folders that ship with Tupa are.

In the repository `templates/`, `locales/` and `migrations/` sit at the top level,
beside the `service` package. The built wheel carries them inside the package
(`service/templates` and so on, see `[tool.hatch.build.targets.wheel.force-include]`
in pyproject.toml), so an installed Tupa finds them next to its code.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository checkout, when Tupa runs from one (the folder above the package).
CHECKOUT_DIR = PACKAGE_DIR.parent


def shipped_dir(name: str) -> Path:
    """The folder `name` inside the installed package, else the checkout's."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else CHECKOUT_DIR / name


def running_from_checkout() -> bool:
    return (CHECKOUT_DIR / "pyproject.toml").is_file()


def default_data_dir() -> Path:
    """`var/` in the checkout; for an installed Tupa, `var/` in the working directory
    (not inside site-packages). TUPA_DATA_DIR overrides both."""
    base = CHECKOUT_DIR if running_from_checkout() else Path.cwd()
    return base / "var"


def private_directory(path: Path) -> Path:
    """A folder of Tupa's own with personal data or secrets in it (sessions): made, or
    narrowed, so that only its owner may list and read it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


TEMPLATES_DIR = shipped_dir("templates")
LOCALES_DIR = shipped_dir("locales")
MIGRATIONS_DIR = shipped_dir("migrations")
STATIC_DIR = PACKAGE_DIR / "static"
