"""The OpenAPI document tells the truth: errors are declared in the shape the API answers
with, and schemathesis (every check but the two that need stateful links) finds nothing
over every route, as a member and as a secretary."""
import shutil
from pathlib import Path

import pytest

from tests.api.fuzz import fuzz

EXAMPLES = 10  # per operation and phase: bounded so CI stays quick; `python tests/api/fuzz.py` goes further


def test_every_error_is_declared_in_the_shape_it_is_answered_with(anon):
    spec = anon.get("/api/openapi.json").get_json()
    envelope = spec["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    body = spec["components"]["schemas"]["ErrorBody"]
    assert {"code", "message"} <= set(body["required"]) and "fields" in body["properties"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own parameters, not an operation
                continue
            for status, response in operation["responses"].items():
                if status[0] not in "45" and status != "default":
                    continue
                ref = response.get("$ref") or response["content"]["application/json"]["schema"]["$ref"]
                if ref.startswith("#/components/responses/"):
                    response = spec["components"]["responses"][ref.rsplit("/", 1)[1]]
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorEnvelope", (method, path, status)


@pytest.fixture(autouse=True)
def committing():
    """The fuzzing server has a database of its own: nothing here runs in the shared transaction."""
    yield


@pytest.mark.parametrize("who,phone", [("member", "13900000101"), ("secretary", "13900000020")])
def test_schemathesis_finds_nothing(who, phone, capsys):
    if not Path(shutil.which("schemathesis") or Path(__file__).parents[2] / ".venv/bin/schemathesis").exists():
        pytest.skip("schemathesis is installed by `make test` (the test extra)")
    code, out, cases = fuzz(phone, max_examples=EXAMPLES)
    with capsys.disabled():
        print(f"\nschemathesis as {who}: {cases} cases generated, exit {code}")
    assert code == 0, out[-15000:]
    assert cases and cases > 500
