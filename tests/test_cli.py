import io
import json
from pathlib import Path

import pytest

from loyalty_core.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


class TestExpiry:
    """The `loyalty-core expiry` command on the bundled examples."""

    def test_golden_definition(self) -> None:
        status, out, err = run(
            "expiry",
            str(EXAMPLES / "benefit-definition.json"),
            "--issued-at",
            "2021-03-05 00:06:51",
            "--timezone",
            "UTC",
        )
        assert (status, err) == (0, "")
        assert "expires at  2021-04-24 23:59:59 UTC" in out
        assert "EXP-3" in out

    def test_instance_json(self) -> None:
        status, out, _ = run(
            "expiry", str(EXAMPLES / "benefit.json"), "--json", "--at", "2026-04-19T14:00:00Z"
        )
        assert status == 0
        result = json.loads(out)
        assert result["expires_at"] == "2026-04-19T13:59:59Z"
        assert result["expires_local"] == "2026-04-19 23:59:59"
        assert result["timezone"] == "Australia/Melbourne"
        assert result["expired"] is True

    def test_naive_issued_at_is_local_to_timezone(self) -> None:
        status, out, _ = run(
            "expiry",
            "-",
            "--issued-at",
            "2026-03-20 10:00:00",
            "--timezone",
            "Australia/Melbourne",
            "--json",
            stdin='{"period": 30}',
        )
        assert status == 0
        assert json.loads(out)["issued_at"] == "2026-03-19T23:00:00Z"
        assert json.loads(out)["expires_at"] == "2026-04-19T13:59:59Z"

    @pytest.mark.parametrize("kind", ["reward", "credit"])
    def test_other_kinds(self, kind: str) -> None:
        status, out, _ = run("expiry", str(EXAMPLES / f"{kind}.json"), "--kind", kind, "--json")
        assert status == 0
        assert json.loads(out)["kind"] == kind

    @pytest.mark.parametrize(
        ("argv", "stdin", "needle"),
        [
            pytest.param(["expiry", "-"], "{not json", "not valid JSON", id="bad-json"),
            pytest.param(
                ["expiry", "-"],
                '{"period": -1}',
                "$.period: expected an integer >= 0, got -1",
                id="payload",
            ),
            pytest.param(["expiry", "-"], '{"period": 1}', "--issued-at", id="missing-issued-at"),
            pytest.param(
                ["expiry", "-", "--issued-at", "soon"], '{"period": 1}', "'soon'", id="bad-instant"
            ),
            pytest.param(["expiry", "/nonexistent.json"], "", "cannot read", id="missing-file"),
            pytest.param(
                ["expiry", "-", "--timezone", "Mars/X", "--issued-at", "2026-01-01"],
                "{}",
                "Mars/X",
                id="zone",
            ),
            pytest.param(["frobnicate"], "", "invalid choice", id="unknown-command"),
        ],
    )
    def test_bad_input_exits_2(self, argv: list[str], stdin: str, needle: str) -> None:
        status, out, err = run(*argv, stdin=stdin)
        assert status == 2
        assert out == ""
        assert needle in err
        assert "Traceback" not in err
