"""Every template compiles; every block a route renders as an HTMX fragment
exists in its template and renders on its own; and the blocks that are
neither fragments nor hooks are listed.

The fragments are found from the code, not listed by hand: every call of
`app.web.render(..., block=...)` in app/, following a block or template
name passed down through a route's own helper (`_review_page(..., block=
"thread")` → `render(..., block=block)`)."""

import ast
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from jinja2 import Undefined, meta, nodes
from jinja2.utils import missing
from jinja2_fragments import render_block

from app.config import ROOT
from app.web import templates

APP = ROOT / "app"
ENV = templates.env
TEMPLATE_DIR = Path(ENV.loader.searchpath[0])
TEMPLATES = sorted(str(p.relative_to(TEMPLATE_DIR)) for p in TEMPLATE_DIR.rglob("*.html"))

# How many (template, block) fragments the routes rendered when this was
# written. The finder may find more (a new fragment is checked with no
# edit here); finding fewer means a refactor hid some from it.
KNOWN_FRAGMENTS = 10


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_compiles(name):
    ENV.get_template(name)


def test_vendored_htmx_is_the_pinned_file():
    path = ROOT / "static" / ENV.globals["HTMX_SRC"]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (
        digest == "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
    )  # htmx.org 2.0.11


def test_vendored_swagger_ui_is_the_pinned_release():
    folder = ROOT / "static" / ENV.globals["SWAGGER_UI"]
    digests = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("swagger-ui-bundle.js", "swagger-ui.css")
    }
    assert digests == {  # swagger-ui-dist 5.35.0, from npm
        "swagger-ui-bundle.js": "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2",
        "swagger-ui.css": "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d",
    }


# ---------------------------------------------------------------- finding the fragments


class FinderLost(AssertionError):
    """The finder met a render call it cannot read: teach it, rather than
    let a fragment go unchecked."""


@dataclass(frozen=True)
class Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST]

    @property
    def dotted(self) -> str:
        return ".".join(self.path.relative_to(ROOT).with_suffix("").parts)

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT)}:{node.lineno}"

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node
        return None


@cache
def app_modules() -> tuple[Module, ...]:
    modules = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        modules.append(Module(path, tree, parents))
    return tuple(modules)


def _is_render(module: Module, call: ast.Call) -> bool:
    """Whether `call` calls `app.web.render`, by whatever name the module
    imported it (imports inside functions count: app/errors.py imports late)."""
    functions, modules = set(), set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("app.web", "app"):
            for alias in node.names:
                if (node.module, alias.name) == ("app.web", "render"):
                    functions.add(alias.asname or alias.name)
                if (node.module, alias.name) == ("app", "web"):
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules |= {a.asname for a in node.names if a.name == "app.web" and a.asname}
    if isinstance(call.func, ast.Name):
        return call.func.id in functions
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "render"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id in modules
    )


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _argument(call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, param: str):
    """The expression `call` passes for `function`'s parameter `param`, its
    default if it passes none (None: neither)."""
    args = function.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        raise FinderLost(f"*args or **kwargs in a call of {function.name}()")
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    if param in positional:
        index = positional.index(param)
        if index < len(call.args):
            return call.args[index]
        defaults = dict(zip(positional[::-1], args.defaults[::-1], strict=False))
        return defaults.get(param)
    kw_defaults = dict(zip([a.arg for a in args.kwonlyargs], args.kw_defaults, strict=True))
    return kw_defaults.get(param)


def _values(module: Module, expr: ast.expr | None, at: ast.AST) -> set[str | None]:
    """Every string (or None) `expr`, written at `at`, can be: a constant, a
    conditional of constants, or a parameter of the enclosing function, which
    is whatever that function's callers pass for it."""
    if expr is None:
        return {None}
    if isinstance(expr, ast.Constant) and (expr.value is None or isinstance(expr.value, str)):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _values(module, expr.body, at) | _values(module, expr.orelse, at)
    function = module.enclosing_function(at)
    if isinstance(expr, ast.Name) and function is not None:
        params = function.args.posonlyargs + function.args.args + function.args.kwonlyargs
        if expr.id in {a.arg for a in params}:
            return _passed_to(module, function, expr.id)
    raise FinderLost(f"{module.where(expr)}: cannot tell what {ast.unparse(expr)!r} names")


def _passed_to(module: Module, function, param: str) -> set[str | None]:
    """Every value the callers of `function` pass for `param` (a helper of
    one module's routes: called by name there, imported nowhere)."""
    calls = [
        node
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Call) and _called_name(node) == function.name
    ]
    used_otherwise = [
        node
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Name)
        and node.id == function.name
        and not any(node is call.func for call in calls)
    ]
    imported = [
        other.where(node)
        for other in app_modules()
        for node in ast.walk(other.tree)
        if isinstance(node, ast.ImportFrom)
        and node.module == module.dotted
        and function.name in {a.name for a in node.names}
    ]
    if not calls or used_otherwise or imported:
        raise FinderLost(
            f"{module.where(function)}: {function.name}() forwards {param!r} to render, "
            "but is not only called by name in its module"
        )
    values: set[str | None] = set()
    for call in calls:
        values |= _values(module, _argument(call, function, param), call)
    return values


@cache
def fragments() -> dict[tuple[str, str], tuple[str, ...]]:
    """(template, block) → where in app/ it is rendered as a fragment."""
    found: dict[tuple[str, str], list[str]] = {}
    for module in app_modules():
        for call in ast.walk(module.tree):
            if not (isinstance(call, ast.Call) and _is_render(module, call)):
                continue
            keywords = {k.arg: k.value for k in call.keywords}
            if None in keywords or any(isinstance(a, ast.Starred) for a in call.args):
                raise FinderLost(f"{module.where(call)}: render(*args or **kwargs)")
            if "block" not in keywords:
                continue
            template = keywords.get("template", call.args[1] if len(call.args) > 1 else None)
            blocks = _values(module, keywords["block"], call) - {None}
            for name in _values(module, template, call) if blocks else ():
                if name is None:
                    raise FinderLost(f"{module.where(call)}: a block of no template")
                for block in blocks:
                    found.setdefault((name, block), []).append(module.where(call))
    return {pair: tuple(sorted(places)) for pair, places in sorted(found.items())}


def test_no_block_is_rendered_some_other_way():
    """`render(..., block=)` is the one way a route sends a fragment: any
    other (jinja2-fragments' block_name or render_block, called directly)
    would be invisible to the finder."""
    web = APP / "web.py"
    others = [
        module.where(call)
        for module in app_modules()
        for call in ast.walk(module.tree)
        if isinstance(call, ast.Call)
        and (
            _called_name(call) in {"render_block", "render_blocks"}
            or any(k.arg in {"block_name", "block_names"} for k in call.keywords)
            or (_called_name(call) == "TemplateResponse" and module.path != web)
        )
    ]
    assert others == []
    # web.render itself is what chooses the block, from its `block` parameter.
    (render_def,) = [
        node
        for node in ast.walk(next(m for m in app_modules() if m.path == web).tree)
        if isinstance(node, ast.FunctionDef) and node.name == "render"
    ]
    assert "block" in {a.arg for a in render_def.args.kwonlyargs}
    assert "render_block" not in ENV.globals  # no template renders another's block


def test_the_finder_finds_every_known_fragment():
    found = fragments()
    assert len(found) >= KNOWN_FRAGMENTS, (
        f"the finder found {len(found)} fragments, {KNOWN_FRAGMENTS} were known: "
        f"has a refactor hidden render(..., block=...) calls from it? {sorted(found)}"
    )


# ---------------------------------------------------------------- each fragment


@cache
def parsed(name: str) -> nodes.Template:
    return ENV.parse(ENV.loader.get_source(ENV, name)[0], name)


def blocks_in(name: str) -> dict[str, nodes.Block]:
    """The blocks written in the template itself (not inherited): the ones
    jinja2-fragments can render from it."""
    return {block.name: block for block in parsed(name).find_all(nodes.Block)}


def _top_level_names(tree: nodes.Template) -> set[str]:
    """Names a template defines outside its blocks ({% set %}, imports,
    macros): a page render defines them, a fragment render does not."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, nodes.Import):
            names.add(node.target)
        elif isinstance(node, nodes.FromImport):
            names |= {n if isinstance(n, str) else n[1] for n in node.names}
        elif isinstance(node, nodes.Macro):
            names.add(node.name)
        elif isinstance(node, (nodes.Assign, nodes.AssignBlock)):
            target = node.target  # a name, or a tuple of them
            targets = [target] if isinstance(target, nodes.Name) else target.find_all(nodes.Name)
            names |= {n.name for n in targets}
    return names


def _needs(body: nodes.Template, seen: frozenset[str] = frozenset()) -> set[str]:
    """The context names a piece of template reads, through what it includes
    and imports (they see the same context)."""
    body.set_environment(ENV)
    needed = set(meta.find_undeclared_variables(body))
    for other in meta.find_referenced_templates(body):
        if other is not None and other not in seen:
            needed |= _needs(parsed(other), seen | {other})
    return needed


class Anything:
    """Stands for any value a route passes: each attribute, item or call is
    another Anything; it is truthy, holds two Anythings, compares and
    counts like a number, and prints as a word."""

    def __getattr__(self, name: str) -> "Anything":
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything()

    def __getitem__(self, key) -> "Anything":
        return Anything()

    def __call__(self, *args, **kwargs) -> "Anything":
        return Anything()

    def __iter__(self):
        return iter((Anything(), Anything()))

    def __len__(self) -> int:
        return 2

    def __contains__(self, item) -> bool:
        return False

    def __str__(self) -> str:
        return "anything"

    def __int__(self) -> int:
        return 1

    __index__ = __int__

    def __float__(self) -> float:
        return 1.0

    def __round__(self, digits: int = 0) -> float:
        return 1.0

    def __format__(self, spec: str) -> str:
        return format(1, spec) if spec else str(self)

    def __eq__(self, other) -> bool:
        return isinstance(other, Anything)

    def __hash__(self) -> int:
        return 1

    def __lt__(self, other) -> bool:
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __add__(self, other) -> "Anything":
        return self

    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __add__
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __rmod__ = __add__

    def __neg__(self) -> "Anything":
        return self


class UnpassedName(Undefined):
    """Fails on a name nobody passed (what a fragment render misses), where
    the app's environment prints "". A key or attribute missing from a real
    value stays "" as in the app: a stub cannot be every key of a dict the
    template itself holds."""

    def _check(self) -> None:
        if self._undefined_obj is missing:
            self._fail_with_undefined_error()

    def __str__(self) -> str:
        self._check()
        return super().__str__()

    def __iter__(self):
        self._check()
        return super().__iter__()

    def __bool__(self) -> bool:
        self._check()
        return super().__bool__()

    def __len__(self) -> int:
        self._check()
        return super().__len__()


def _path_for(name: str, /, **params: object) -> str:
    return "/" + "/".join([name, *map(str, params.values())])


# No cache: the app's environment has compiled these templates with its own
# Undefined. Own globals too (an overlay shares the app's dict): the app's
# path_for keeps one path per route for the whole process, and must not keep
# one built from a stand-in request.
STRICT = ENV.overlay(undefined=UnpassedName, cache_size=0)
STRICT.globals = {**ENV.globals, "path_for": _path_for}


def fragment_ids() -> list[str]:
    return [f"{name}#{block}" for name, block in fragments()]


@pytest.mark.parametrize(("name", "block"), list(fragments()), ids=fragment_ids())
def test_fragment_block_exists_and_renders_on_its_own(name, block):
    where = ", ".join(fragments()[name, block])
    assert block in blocks_in(name), f"{where} renders block {block!r}; {name} has none"
    # The route's context stands in as Anything for every name the block (and
    # what it includes) reads, except what the template defines outside its
    # blocks: a fragment render never runs that part.
    piece = nodes.Template(blocks_in(name)[block].body, lineno=1)
    passed = _needs(piece) - set(ENV.globals) - _top_level_names(parsed(name))
    # The globals as they are now: building the application (which another
    # test may have done since this module was imported) adds some.
    STRICT.globals.update({k: v for k, v in ENV.globals.items() if k != "path_for"})
    html = render_block(
        STRICT, name, block, {"request": Anything(), **dict.fromkeys(passed, Anything())}
    )
    assert html.strip(), f"{name}#{block} rendered nothing"


# ---------------------------------------------------------------- blocks that are neither


def _parent(name: str) -> str | None:
    extends = next(parsed(name).find_all(nodes.Extends), None)
    if extends is None:
        return None
    if not isinstance(extends.template, nodes.Const):
        raise FinderLost(f"{name} extends a template chosen at run time")
    return extends.template.value


def _ancestors(name: str) -> list[str]:
    chain = []
    while (name := _parent(name)) is not None:
        chain.append(name)
    return chain


def blocks_neither_fragment_nor_hook() -> list[tuple[str, str]]:
    """Blocks no route renders alone, that no template extending theirs
    overrides (a hook, like base.html's `content`) and that override no
    block of a template theirs extends (a page filling a hook)."""
    rendered = set(fragments())
    lonely = []
    for name in TEMPLATES:
        for block in blocks_in(name):
            hook = any(
                name in _ancestors(other) and block in blocks_in(other) for other in TEMPLATES
            )
            fills = any(block in blocks_in(parent) for parent in _ancestors(name))
            if (name, block) not in rendered and not hook and not fills:
                lonely.append((name, block))
    return lonely


def test_blocks_that_are_neither_fragments_nor_hooks():
    """Reported, not refused (a named block costs nothing and may be a
    fragment tomorrow; see them with `pytest -rP`), unless clearly dead: an
    empty block in a template nothing extends renders nothing, ever."""
    lonely = blocks_neither_fragment_nor_hook()
    print("Blocks no route renders alone and no template overrides:")
    for name, block in lonely:
        print(f"  {name}#{block} (line {blocks_in(name)[block].lineno})")
    extended = {parent for name in TEMPLATES for parent in _ancestors(name)}
    dead = [
        (name, block)
        for name, block in lonely
        if name not in extended and not _renders_anything(blocks_in(name)[block])
    ]
    assert dead == []


def _renders_anything(block: nodes.Block) -> bool:
    return any(
        not (
            isinstance(node, nodes.Output)
            and all(isinstance(n, nodes.TemplateData) and not n.data.strip() for n in node.nodes)
        )
        for node in block.body
    )
