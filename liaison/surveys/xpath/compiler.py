"""Reading and compiling questionnaire expressions.

``check`` tells why an expression cannot be used, or None; an expression using any function
outside XPath 1.0 and ``ODK_FUNCTIONS`` is refused by name, so that a questionnaire never relies
on something Liaison would ignore.

``compile`` turns an expression into an ``Expression`` that runs on a tree of ``Node``:
elementpath's XPath 1.0 parser (extended with the ODK functions) reads the text once; the token
tree then becomes plain Python closures, so that checking a submission costs microseconds per
expression.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from elementpath import XPath1Parser
from elementpath.exceptions import ElementPathError, MissingContextError

from liaison.surveys.xpath.functions import FUNCTIONS, LAZY
from liaison.surveys.xpath.values import (
    ARITHMETIC,
    DOCUMENT,
    RELATIONS,
    Env,
    EvaluationError,
    Fn,
    Node,
    Step,
    Value,
    equals,
    node_set,
    relation,
    string_value,
    to_boolean,
    to_number,
    to_string,
)

# ODK XPath functions beyond XPath 1.0's own, with how many arguments each takes.
ODK_FUNCTIONS: dict[str, int | tuple[int, int | None]] = {
    "selected": 2,
    "selected-at": 2,
    "count-selected": 1,
    "today": 0,
    "now": 0,
    "regex": 2,
    "if": 3,
    "coalesce": 2,
    "int": 1,
    "pow": 2,
    "abs": 1,
    "min": (1, None),
    "max": (1, None),
    "substr": (2, 3),
    "ends-with": 2,
    "once": 1,
    "date": 1,
    "decimal-date-time": 1,
    "format-date": 2,
    "string-length": (0, 1),
    "count-non-empty": 1,
    "join": (2, None),
    "boolean-from-string": 1,
}
# XPath 1.0 functions that take more arguments in ODK.
ODK_EXTENDED: dict[str, tuple[int, int]] = {"position": (0, 1), "round": (1, 2)}
REFERENCE = re.compile(r"\$\{([^}]*)\}")


class OdkXPathParser(XPath1Parser):
    symbol_table = {**XPath1Parser.symbol_table}


def evaluate_without_answers(self: Any, context: Any = None) -> Any:
    # Questionnaire expressions read the answers; there is nothing to compute at parse time.
    raise MissingContextError("an ODK function needs the answers")


# XPath 1.0 functions that ODK lets take other arguments: position(node) (``position(..)``: the
# entry of a repeat) and round(number, decimals). Each is a token class of this parser's own, so
# that XPath1Parser is left as it is.
for _name, _range in ODK_EXTENDED.items():
    OdkXPathParser.unregister(_name)
    OdkXPathParser.method(OdkXPathParser.function(_name, nargs=_range))(evaluate_without_answers)
for _name, _nargs in ODK_FUNCTIONS.items():
    if _name not in OdkXPathParser.symbol_table:
        token = OdkXPathParser.function(_name, nargs=_nargs)
        OdkXPathParser.method(token)(evaluate_without_answers)
OdkXPathParser.build()


def references(expression: str) -> list[str]:
    """The question names an expression refers to as ``${name}``."""
    return REFERENCE.findall(expression or "")


class Unsupported(ValueError):
    """The expression cannot be read, or uses something Liaison does not evaluate."""


def check(expression: str) -> str | None:
    """Why ``expression`` is not a valid XLSForm expression, or None when it is."""
    if not expression.strip():
        return None
    try:
        compile(expression, lambda name: _nothing)
    except Unsupported as exc:
        return str(exc)
    return None


def _nothing(env: Env) -> Value:
    return []


# --- compiling -------------------------------------------------------------------------------

AXES = {
    "child",
    "parent",
    "self",
    "ancestor",
    "ancestor-or-self",
    "descendant",
    "descendant-or-self",
    "following-sibling",
    "preceding-sibling",
}
REVERSE_AXES = {"parent", "ancestor", "ancestor-or-self", "preceding-sibling"}


@dataclass
class Expression:
    """A compiled expression. ``references`` are its ``${name}`` names, ``steps`` the names its
    paths walk through, ``relative`` whether it reads the context node (``.``, ``..``)."""

    source: str
    run: Fn
    references: frozenset[str] = frozenset()
    steps: frozenset[str] = frozenset()
    relative: bool = False
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.names = self.references | self.steps

    def value(self, env: Env) -> Value:
        try:
            return self.run(env)
        except EvaluationError:
            raise
        except (ArithmeticError, LookupError, ValueError, TypeError, RecursionError) as exc:
            raise EvaluationError(
                _("“%(e)s” cannot be computed: %(why)s") % {"e": self.source, "why": exc}
            ) from exc

    def boolean(self, env: Env) -> bool:
        return to_boolean(self.value(env))

    def string(self, env: Env) -> str:
        return to_string(self.value(env))


@functools.lru_cache(maxsize=4096)
def _parse(source: str) -> Any:
    return OdkXPathParser().parse(source)


def compile(expression: str, resolve: Callable[[str], Fn]) -> Expression:
    """The expression, ready to run; ``resolve(name)`` gives what ``${name}`` reads. Raises
    ``Unsupported`` with the reason when it cannot be read or uses what Liaison does not
    evaluate."""
    prefixed = re.search(r"\b(jr|odk):([\w-]+)\s*\(", expression)
    if prefixed:
        raise Unsupported(
            _("The function %(f)s() is not supported.") % {"f": prefixed.group(0)[:-1].strip()}
        )
    bare = REFERENCE.sub("", re.sub(r"'[^']*'|\"[^\"]*\"", "", expression))
    if "$" in bare:
        raise Unsupported(_("Refer to a question as ${name}; XPath variables are not supported."))
    # ${name} becomes the variable $name, in brackets so that "${a}-1" stays a subtraction.
    source = REFERENCE.sub(lambda m: "($" + (m.group(1).strip() or "_") + ")", expression)
    try:
        tree = _parse(source)
    except ElementPathError as exc:  # before TypeError: some are both
        message = str(exc.message) if hasattr(exc, "message") else str(exc)
        function = re.search(r"unknown function '([^']+)'", message)
        if function:
            raise Unsupported(
                _("The function %(f)s() is not supported.") % {"f": function.group(1)}
            ) from exc
        raise Unsupported(_("This expression cannot be read: %(why)s") % {"why": message}) from exc
    except (ArithmeticError, LookupError, TypeError, RecursionError) as exc:
        raise Unsupported(_("This expression cannot be read: %(why)s") % {"why": exc}) from exc
    compiler = _Compiler(resolve)
    run = compiler.expr(tree)
    return Expression(
        expression,
        run,
        frozenset(compiler.references),
        frozenset(compiler.steps),
        compiler.relative,
    )


def broken(expression: str, reason: str) -> Expression:
    """An expression that could not be compiled: running it reports why."""

    def run(env: Env) -> Value:
        raise EvaluationError(reason)

    return Expression(expression, run)


class _Compiler:
    def __init__(self, resolve: Callable[[str], Fn]) -> None:
        self.resolve = resolve
        self.references: set[str] = set()
        self.steps: set[str] = set()
        self.relative = False

    def unsupported(self, token: Any) -> Unsupported:
        return Unsupported(
            _("“%(t)s” is not supported in questionnaire expressions.") % {"t": token.source}
        )

    def expr(self, t: Any) -> Fn:
        symbol = t.symbol
        if symbol in ("(integer)", "(decimal)", "(float)"):
            number = float(t.value)
            return lambda env: number
        if symbol == "(string)":
            text = str(t.value)
            return lambda env: text
        if symbol == "$":
            name = str(t.value)
            self.references.add(name)
            return self.resolve(name)
        if symbol == "(" and len(t) == 1:
            return self.expr(t[0])
        if symbol in ("or", "and"):
            return self.logic(symbol, self.expr(t[0]), self.expr(t[1]))
        if symbol in ("=", "!="):
            left, right, negate = self.expr(t[0]), self.expr(t[1]), symbol == "!="
            return lambda env: equals(left(env), right(env), negate)
        if symbol in RELATIONS:
            left, right, test = self.expr(t[0]), self.expr(t[1]), RELATIONS[symbol]
            return lambda env: relation(left(env), right(env), test)
        if symbol in ARITHMETIC and len(t) == 2:
            left, right, op = self.expr(t[0]), self.expr(t[1]), ARITHMETIC[symbol]
            return lambda env: op(to_number(left(env)), to_number(right(env)))
        if symbol in ("-", "+") and len(t) == 1:
            operand, sign = self.expr(t[0]), -1.0 if symbol == "-" else 1.0
            return lambda env: sign * to_number(operand(env))
        if symbol == "|":
            return self.union(self.expr(t[0]), self.expr(t[1]))
        if symbol in ("/", "//"):
            return self.path(t)
        if self.is_step(t):
            step, reverse = self.step(t)
            self.relative = True
            return lambda env: _ordered(step(env, env.ctx), reverse)
        if symbol == "[":
            base, predicate = self.expr(t[0]), self.predicate(t[1])
            return lambda env: _filter(env, node_set(base(env), _("A filter in [ ]")), predicate)
        if symbol in LAZY:
            return self.lazy(symbol, [self.expr(a) for a in t])
        if symbol in FUNCTIONS and "function" in str(t.label):
            impl, args = FUNCTIONS[symbol], [self.expr(a) for a in t]
            if symbol in ("string", "string-length", "normalize-space", "number") and not args:
                self.relative = True
            if symbol in ("name", "local-name") and not args:
                self.relative = True
            return lambda env: impl(env, [a(env) for a in args])
        raise self.unsupported(t)

    @staticmethod
    def logic(symbol: str, left: Fn, right: Fn) -> Fn:
        if symbol == "or":
            return lambda env: to_boolean(left(env)) or to_boolean(right(env))
        return lambda env: to_boolean(left(env)) and to_boolean(right(env))

    @staticmethod
    def union(left: Fn, right: Fn) -> Fn:
        def run(env: Env) -> Value:
            what = _("The operator |")
            nodes = node_set(left(env), what) + node_set(right(env), what)
            return _ordered(nodes, True)

        return run

    @staticmethod
    def lazy(symbol: str, args: list[Fn]) -> Fn:
        if symbol == "if":
            test, yes, no = args
            return lambda env: yes(env) if to_boolean(test(env)) else no(env)
        if symbol == "coalesce":
            first, second = args

            def coalesce(env: Env) -> Value:
                value = first(env)
                if isinstance(value, list):
                    value = to_string(value)
                if value == "" or (isinstance(value, float) and math.isnan(value)):
                    value = second(env)
                    return to_string(value) if isinstance(value, list) else value
                return value

            return coalesce
        (then,) = args

        def once(env: Env) -> Value:
            current = string_value(env.here)
            return current if current else then(env)

        return once

    def predicate(self, t: Any) -> Fn:
        relative = self.relative
        run = self.expr(t)
        self.relative = relative  # a predicate reads its own candidates, not the context
        return run

    def is_step(self, t: Any) -> bool:
        symbol = t.symbol
        if symbol in ("(name)", ".", "..") or (symbol == "*" and len(t) == 0):
            return True
        if symbol in AXES and str(t.label) == "axis":
            return True
        return symbol == "[" and self.is_step(t[0])

    def step(self, t: Any) -> tuple[Step, bool]:
        """One step of a path, from a node: (how to walk, whether it walks backwards)."""
        symbol = t.symbol
        if symbol == "[":
            base, reverse = self.step(t[0])
            predicate = self.predicate(t[1])
            return (lambda env, n: _filter(env, base(env, n), predicate)), reverse
        if symbol == ".":
            return (lambda env, n: [n]), False
        if symbol == "..":
            return (lambda env, n: [n.parent] if n.parent is not None else []), True
        if symbol in ("(name)", "*"):
            return self.axis("child", t), False
        if symbol in AXES and len(t) == 1:
            return self.axis(symbol, t[0]), symbol in REVERSE_AXES
        raise self.unsupported(t)

    def axis(self, axis: str, test: Any) -> Step:
        if test.symbol == "(name)":
            name: str | None = str(test.value)
            self.steps.add(str(test.value))
        elif test.symbol == "*" and len(test) == 0:
            name = None
        else:
            raise self.unsupported(test)

        def match(n: Node) -> bool:
            return (n.name == name) if name is not None else n.name != DOCUMENT

        if axis == "child":
            if name is not None:
                wanted = name
                return lambda env, n: [c for c in n.kids.get(wanted, ()) if not c.gone]
            return lambda env, n: [c for c in n.children if not c.gone]
        if axis == "self":
            return lambda env, n: [n] if match(n) else []
        if axis == "parent":
            return lambda env, n: [n.parent] if n.parent is not None and match(n.parent) else []
        if axis in ("ancestor", "ancestor-or-self"):
            with_self = axis == "ancestor-or-self"

            def ancestors(env: Env, n: Node) -> list[Node]:
                out = [n] if with_self and match(n) else []
                p = n.parent
                while p is not None:
                    if match(p):
                        out.append(p)
                    p = p.parent
                return out

            return ancestors
        if axis in ("descendant", "descendant-or-self"):
            with_self = axis == "descendant-or-self"
            return lambda env, n: [d for d in _descendants(n, with_self) if match(d)]
        following = axis == "following-sibling"

        def siblings(env: Env, n: Node) -> list[Node]:
            if n.parent is None:
                return []
            row = [c for c in n.parent.children if not c.gone]
            i = row.index(n) if n in row else -1
            if i < 0:
                return []
            chosen = row[i + 1 :] if following else row[:i][::-1]
            return [c for c in chosen if match(c)]

        return siblings

    def path(self, t: Any) -> Fn:
        symbol = t.symbol
        if symbol == "/" and len(t) == 0:
            return lambda env: [env.document]
        if len(t) == 1:
            step, reverse = self.step(t[0])
            if symbol == "/":
                return lambda env: _ordered(step(env, env.document), reverse)
            return lambda env: _walk(env, _descendants(env.document, True), step, reverse)
        left = self.expr(t[0])
        if not self.is_step(t[1]):
            raise self.unsupported(t[1])
        step, reverse = self.step(t[1])
        if symbol == "/":
            return lambda env: _walk(env, node_set(left(env), _("A path")), step, reverse)

        def deep(env: Env) -> Value:
            nodes: list[Node] = []
            for n in node_set(left(env), _("A path")):
                nodes.extend(_descendants(n, True))
            return _walk(env, _ordered(nodes, True), step, reverse)

        return deep


def _descendants(node: Node, with_self: bool) -> list[Node]:
    out = [node] if with_self else []
    for child in node.children:
        if not child.gone:
            out.extend(_descendants(child, True))
    return out


def _ordered(nodes: list[Node], unsorted: bool) -> list[Node]:
    if not unsorted or len(nodes) < 2:
        return nodes
    seen: dict[int, Node] = {}
    for n in nodes:
        seen.setdefault(id(n), n)
    return sorted(seen.values(), key=lambda n: n.order)


def _walk(env: Env, nodes: list[Node], step: Step, reverse: bool) -> list[Node]:
    if len(nodes) == 1:
        return _ordered(step(env, nodes[0]), reverse)
    out: list[Node] = []
    for n in nodes:
        out.extend(step(env, n))
    return _ordered(out, True)


def _filter(env: Env, nodes: list[Node], predicate: Fn) -> list[Node]:
    saved = env.ctx, env.position, env.size
    size = len(nodes)
    out: list[Node] = []
    try:
        for i, n in enumerate(nodes, start=1):
            env.ctx, env.position, env.size = n, i, size
            keep = predicate(env)
            if isinstance(keep, float | int) and not isinstance(keep, bool):
                if keep == i:
                    out.append(n)
            elif to_boolean(keep):
                out.append(n)
    finally:
        env.ctx, env.position, env.size = saved
    return out
