"""The shape of the code, checked: features talk through each other's public modules (models,
service, schemas) or by signals; no import hides inside a function to dodge a cycle; and no
role, level or org-unit kind is spelled outside the policy package and the catalogues."""
import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
FEATURES = ("auth", "org", "households", "visits", "cases", "tasks", "sync", "notify", "reports", "attachments")
PUBLIC = ("models", "service", "schemas")
# Imports of another feature's internals that are meant: the demo district includes its cases.
ALLOWED = {("app.org.demo", "app.cases.demo")}
# Where an import inside a function is the point: the app factory, the CLI commands and the
# in-process scheduler load a feature only when it is used.
LAZY_IMPORTS_ALLOWED = {"app/__init__.py", "app/cli.py", "app/scheduler.py"}

ORG_WORDS = {"member", "informant", "grid_leader", "secretary", "township", "department", "admin",
             "grid", "branch", "village", "district"}
# Files that may spell them: the policy package itself and the catalogue of Chinese names.
WORDS_ALLOWED_IN = ("app/policy/", "app/messages.py")
WORDS_ALLOWED = {}


def _modules():
    for path in sorted(APP.rglob("*.py")):
        rel = path.relative_to(APP.parent)
        yield str(rel), ".".join(rel.with_suffix("").parts).removesuffix(".__init__"), ast.parse(path.read_text())


def _feature(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURES else None


def _imported(node):
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    return []


def test_features_use_only_each_others_public_modules():
    wrong = []
    for path, module, tree in _modules():
        mine = _feature(module)
        if mine is None:  # the wiring (app factory, CLI, scheduler) joins the features on purpose
            continue
        for node in ast.walk(tree):
            for target in _imported(node):
                theirs = _feature(target)
                parts = target.split(".")
                if theirs is None or theirs == mine or len(parts) < 3:
                    continue
                if parts[2] not in PUBLIC and (module, ".".join(parts[:3])) not in ALLOWED:
                    wrong.append(f"{path}:{node.lineno} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_hides_inside_a_function():
    wrong = []
    for path, _module, tree in _modules():
        if path in LAZY_IMPORTS_ALLOWED:
            continue
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(func):
                    if any(t.startswith("app") for t in _imported(node)):
                        wrong.append(f"{path}:{node.lineno} in {func.name}()")
    assert not wrong, "\n".join(wrong)


def test_no_role_or_level_is_spelled_outside_the_policy():
    wrong = []
    for path, _module, tree in _modules():
        if path.startswith(WORDS_ALLOWED_IN):
            continue
        keys = {id(k) for n in ast.walk(tree) if isinstance(n, ast.Dict) for k in n.keys if k is not None}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and node.value in ORG_WORDS and id(node) not in keys
                    and node.value not in WORDS_ALLOWED.get(path, ())):
                wrong.append(f"{path}:{node.lineno} {node.value!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("word", sorted(ORG_WORDS))
def test_the_checker_would_notice(word, tmp_path):
    """The literal check is not vacuous: a comparison with any of the words is found."""
    tree = ast.parse(f"if actor.role == {word!r}:\n    pass\n")
    assert any(isinstance(n, ast.Constant) and n.value in ORG_WORDS for n in ast.walk(tree))
