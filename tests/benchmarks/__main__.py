"""`make bench`: run every benchmark module here and print one table (or JSON lines).

python -m tests.benchmarks [--json] [--only NAME] [--engines sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import pkgutil
import sys
from pathlib import Path

from tests.benchmarks.common import Row, print_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--only", default="", help="run only the module with this name")
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args(argv)
    engines = [engine for engine in args.engines.split(",") if engine]
    rows: list[Row] = []
    folder = Path(__file__).parent
    for module_info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if module_info.name in {"common", "__main__"}:
            continue
        if args.only and module_info.name != args.only:
            continue
        module = importlib.import_module(f"tests.benchmarks.{module_info.name}")
        rows.extend(asyncio.run(module.run(engines)))
    if args.json:
        for row in rows:
            print(json.dumps(row.as_dict()))
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
