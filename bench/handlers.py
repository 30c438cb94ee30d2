"""How long the route handlers are: `python -m bench.handlers [ROOT]`.

A handler is a function decorated with a router's or the app's HTTP-method
decorator (`@router.get(...)`, `@app.post(...)`, ...). Its length is the lines
of its body, from the first statement after the docstring to the last, so a
docstring or a long signature does not count against it. The goal (issue 14)
is handlers that read like Warehouse's: parse, call, render or redirect, in
about 10 to 20 lines.
"""

import argparse
import ast
import statistics
from dataclasses import dataclass
from pathlib import Path

METHODS = {"get", "post", "put", "patch", "delete", "api_route"}
LIMIT, HARD_LIMIT = 20, 30


@dataclass(frozen=True)
class Handler:
    path: str
    line: int
    name: str
    length: int


def _is_route(decorator: ast.expr) -> bool:
    call = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(call, ast.Attribute) and call.attr in METHODS


def _body_length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    if not body:
        return 0
    return body[-1].end_lineno - body[0].lineno + 1


def handlers(root: Path) -> list[Handler]:
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                _is_route(d) for d in node.decorator_list
            ):
                found.append(Handler(str(path), node.lineno, node.name, _body_length(node)))
    return found


def report(found: list[Handler]) -> str:
    lengths = [h.length for h in found]
    over = sorted((h for h in found if h.length > LIMIT), key=lambda h: -h.length)
    lines = [
        f"{len(found)} handlers: mean {statistics.mean(lengths):.1f} lines, "
        f"median {statistics.median(lengths):.1f}, longest {max(lengths)}",
        f"over {LIMIT} lines: {len(over)}; over {HARD_LIMIT}: "
        f"{sum(h.length > HARD_LIMIT for h in found)}",
    ]
    lines += [f"  {h.length:3d}  {h.name}  ({h.path}:{h.line})" for h in over]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default="app", type=Path)
    print(report(handlers(parser.parse_args().root)))


if __name__ == "__main__":
    main()
