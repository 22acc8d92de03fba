"""The tree reads as the README says: imports point one way between the apps.

config <- burmese <- campaigns, contacts <- accounts <- statements <- publishing <- distribution
<- desk. Every import in the apps' code (module level or inside a function) is checked, so a
new upward import fails here instead of tangling the layout.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each app may import the apps listed for it (and itself); nothing else of ours.
LAYERS: dict[str, set[str]] = {
    "config": set(),
    "burmese": {"config"},
    "campaigns": {"burmese", "config"},
    "contacts": {"burmese", "config"},
    "accounts": {"burmese", "config"},
    "statements": {"burmese", "config", "campaigns", "contacts", "accounts"},
    "publishing": {"burmese", "config", "campaigns", "contacts", "accounts", "statements"},
    "distribution": {
        "burmese",
        "config",
        "campaigns",
        "contacts",
        "accounts",
        "statements",
        "publishing",
    },
    "channels": {
        "burmese",
        "config",
        "campaigns",
        "contacts",
        "accounts",
        "statements",
        "publishing",
    },
    "desk": {
        "burmese",
        "config",
        "campaigns",
        "contacts",
        "accounts",
        "statements",
        "publishing",
        "distribution",
        "channels",
    },
}
OURS = set(LAYERS)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _app_files():
    for app in sorted(LAYERS):
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path


def test_every_app_in_the_readme_table_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for app in LAYERS:
        assert (ROOT / app / "__init__.py").exists(), app
        assert f"`{app}/`" in readme, f"README's architecture table lacks {app}/"


@pytest.mark.parametrize(
    ("app", "path"),
    list(_app_files()),
    ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else v,
)
def test_imports_point_one_way(app, path):
    allowed = LAYERS[app] | {app}
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in _imports(path)
        if module.split(".")[0] in OURS and module.split(".")[0] not in allowed
    ]
    assert not wrong, "upward import(s):\n" + "\n".join(wrong)
