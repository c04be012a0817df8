"""The rules of an XLSForm questionnaire, applied on the server to one set of answers: types,
``relevant``, ``required``, ``constraint``, ``calculate`` and ``choice_filter``, with ODK's
meaning (``answers`` types each raw answer, ``xpath`` evaluates the expressions).

``Form(definition)`` reads pyxform's JSON of a questionnaire version once (each expression is
compiled then); ``Form.check(answers)`` types the answers, works out what is relevant and
calculated, and lists every answer that breaks a rule. Both ways in use it: the web form (live
and on submission) and imported exports.

Answers: a flat dict keyed by question name outside repeats (groups do not nest it); a repeat's
name maps to a list of dicts of the same shape, one per entry.
"""

from __future__ import annotations

import datetime
import heapq
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.surveys import xpath
from liaison.surveys.answers import NO_CHOICES, Choices, Refused, blank, calculated, raw_text, typed
from liaison.surveys.xlsform import LANGUAGE

# pyxform's type names -> the engine's
TYPES = {
    "text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "geopoint": "geopoint",
    "calculate": "calculate",
}
SELECTS = ("select_one", "select_multiple")
METADATA = {"start", "end", "today"}
YES = {"yes", "true", "true()"}
NO = {"", "no", "false", "false()"}
DYNAMIC = re.compile(r"\$\{|[A-Za-z_][\w.-]*\s*\(")  # a default that is an expression


@dataclass(frozen=True)
class Question:
    name: str
    type: str  # text, integer, decimal, date, select_one, select_multiple, geopoint, calculate
    path: tuple[str, ...]  # group and repeat names from the root down to the question's name
    repeats: tuple[str, ...]  # the enclosing repeats, outermost first
    choices: tuple[str, ...]  # choice names of a select, in form order
    list_name: str


@dataclass(frozen=True)
class Issue:
    name: str  # question name
    instance: tuple[int, ...]  # 1-based position in each enclosing repeat; () outside repeats
    code: str  # "required" | "constraint" | "type" | "choice"
    message: str


@dataclass
class Outcome:
    values: dict[str, Any]  # typed answers (relevant, not empty), same shape as the answers
    issues: list[Issue] = field(default_factory=list)
    # questions, notes, groups and repeats that are not relevant (a repeat as a whole at its
    # enclosing entry, and each of its entries); everything inside them is listed too
    hidden: set[tuple[str, tuple[int, ...]]] = field(default_factory=set)
    # for selects with a choice_filter: the choice names allowed at that place
    choices: dict[tuple[str, tuple[int, ...]], list[str]] = field(default_factory=dict)


@dataclass(eq=False)
class _Item:
    """One element of the form: a question, a note, a group, a repeat or metadata."""

    name: str
    kind: str  # "question", "note", "group", "repeat", "metadata", "other"
    type: str
    path: tuple[str, ...]
    repeats: tuple[str, ...]
    parent: _Item | None
    order: int
    source: dict[str, Any]
    children: list[_Item] = field(default_factory=list)
    question: Question | None = None
    choices: Choices = NO_CHOICES
    choice_items: list[tuple[str, xpath.Node]] = field(default_factory=list)
    relevant: xpath.Expression | None = None
    required: xpath.Expression | bool = False
    constraint: xpath.Expression | None = None
    calculate: xpath.Expression | None = None
    choice_filter: xpath.Expression | None = None
    default: xpath.Expression | None = None
    self_referring: bool = False  # a repeat whose relevance reads its own entries

    @property
    def bind(self) -> dict[str, Any]:
        bind = self.source.get("bind")
        return bind if isinstance(bind, dict) else {}

    @property
    def scope(self) -> tuple[str, ...]:
        """The repeats whose entry the item's expressions run in."""
        return (*self.repeats, self.name) if self.kind == "repeat" else self.repeats

    def subtree(self) -> list[_Item]:
        out: list[_Item] = []
        for child in self.children:
            out.append(child)
            out.extend(child.subtree())
        return out


class _Node(xpath.Node):
    """A node of one submission's tree, with what the engine learns about it."""

    __slots__ = ("container", "errors", "hidden", "instance", "item", "problem", "value")

    def __init__(
        self,
        item: _Item,
        container: _Node | None,
        parent: xpath.Node,
        order: int,
        instance: tuple[int, ...],
    ) -> None:
        super().__init__(item.name, parent, order)
        self.item = item
        self.container = container
        self.instance = instance
        self.value: Any = None
        self.problem: tuple[str, str] | None = None  # (code, message)
        self.hidden = False
        self.errors: list[str] = []


@dataclass
class _State:
    env: xpath.Env
    root: _Node
    by_item: list[list[_Node]]
    issues: list[Issue] = field(default_factory=list)
    hidden_slots: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    count: int = 1


class Form:
    """The rules of one questionnaire version (pyxform's JSON ``definition``)."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition
        self.default_language = str(definition.get("default_language") or "")
        self.questions: list[Question] = []
        self.by_name: dict[str, Question] = {}
        self.repeats: dict[str, tuple[str, ...]] = {}
        self._root = _Item(str(definition.get("name") or "data"), "group", "", (), (), None, -1, {})
        self._items: list[_Item] = []
        self._named: dict[str, _Item] = {}
        self._walk(definition.get("children") or [], self._root)
        for item in self._items:
            self._compile(item)
        self._order = self._sorted()

    # --- reading the definition ----------------------------------------------------------
    def _walk(self, children: list[Any], parent: _Item) -> None:
        for child in children:
            if not isinstance(child, dict):
                continue
            kind, name = str(child.get("type") or ""), str(child.get("name") or "")
            control = child.get("control") if isinstance(child.get("control"), dict) else {}
            if not name or name in self._named or name == self._root.name:
                continue
            if kind == "group" and name == "meta" and (control or {}).get("bodyless"):
                continue  # pyxform's instanceID: the server's business
            path = (*parent.path, name)
            item = _Item(name, "other", kind, path, parent.scope, parent, len(self._items), child)
            if kind in ("group", "repeat"):
                item.kind = kind
            elif kind in TYPES:
                item.kind, item.type = "question", TYPES[kind]
            elif kind == "note":
                item.kind = "note"
            elif kind in METADATA:
                item.kind = "metadata"
            self._items.append(item)
            self._named[name] = item
            parent.children.append(item)
            if item.kind == "repeat":
                self.repeats[name] = path
            if item.kind == "question":
                self._question(item)
            if kind in ("group", "repeat"):
                self._walk(child.get("children") or [], item)

    def _question(self, item: _Item) -> None:
        child = item.source
        list_name = ""
        choices: list[dict[str, Any]] = []
        if item.type in SELECTS:
            list_name = str(child.get("list_name") or child.get("itemset") or "")
            listed = child.get("choices")
            if not isinstance(listed, list):
                table = self.definition.get("choices")
                table = table if isinstance(table, dict) else {}
                listed = table.get(child.get("itemset") or list_name) or []
            choices = [c for c in listed if isinstance(c, dict) and c.get("name") is not None]
        names = tuple(str(c["name"]) for c in choices)
        item.question = Question(item.name, item.type, item.path, item.repeats, names, list_name)
        item.choices = Choices(names, frozenset(names))
        if child.get("choice_filter"):
            item.choice_items = [(str(c["name"]), self._choice_node(c)) for c in choices]
        self.questions.append(item.question)
        self.by_name[item.name] = item.question

    def _choice_node(self, choice: dict[str, Any]) -> xpath.Node:
        """A choice as a choice_filter reads it: ``name``, ``label`` and the extra columns."""
        node = xpath.Node("item", None, 0)
        for key, value in choice.items():
            if isinstance(value, dict):
                value = self._translated(value, "")
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                xpath.Node(str(key), node, 0, str(value))
        return node

    def _compile(self, item: _Item) -> None:
        scope = item.scope

        def resolve(name: str) -> xpath.Fn:
            return self._reference(name, scope)

        def compiled(text: Any) -> xpath.Expression | None:
            if not isinstance(text, str) or not text.strip():
                return None
            try:
                return xpath.compile(text, resolve)
            except xpath.Unsupported as exc:
                return xpath.broken(text, str(exc))

        bind = item.bind
        item.relevant = compiled(bind.get("relevant"))
        if item.kind != "question":
            if item.kind == "repeat" and item.relevant is not None:
                inside = {i.name for i in item.subtree()}
                item.self_referring = item.relevant.relative or bool(item.relevant.names & inside)
            return
        required = bind.get("required")
        if isinstance(required, bool):
            item.required = required
        elif str(required or "").strip().lower() in YES | NO:
            item.required = str(required or "").strip().lower() in YES
        else:
            item.required = compiled(required) or False
        item.constraint = compiled(bind.get("constraint"))
        if item.type == "calculate":
            item.calculate = compiled(bind.get("calculate"))
        item.choice_filter = compiled(item.source.get("choice_filter"))
        default = item.source.get("default")
        if isinstance(default, str) and DYNAMIC.search(default):
            try:
                item.default = xpath.compile(default, resolve)
            except xpath.Unsupported:
                item.default = None  # a plain value that happens to look like a call

    def _reference(self, name: str, scope: tuple[str, ...]) -> xpath.Fn:
        """What ``${name}`` reads from an expression running inside the repeats ``scope``: the
        same entry of the repeats both share (as pyxform's relative paths), every entry of the
        others."""
        target = self._named.get(name)
        if target is None:
            return lambda env: []
        if not target.repeats and target.kind != "repeat":

            def named(env: xpath.Env) -> xpath.Value:
                node = env.named.get(name)
                return [node] if node is not None else []

            return named
        shared = 0
        while (
            shared < min(len(scope), len(target.repeats))
            and scope[shared] == target.repeats[shared]
        ):
            shared += 1
        absolute = target.path
        anchor = target.repeats[shared - 1] if shared else ""
        relative = target.path[len(self.repeats[anchor]) :] if anchor else absolute

        def walk(env: xpath.Env) -> xpath.Value:
            node: xpath.Node | None = env.here
            steps = relative
            if anchor:
                while node is not None and node.name != anchor:
                    node = node.parent
            if node is None or not anchor:
                node, steps = env.document.children[0], absolute
            nodes = [node]
            for step in steps:
                nodes = [c for n in nodes for c in n.kids.get(step, ()) if not c.gone]
            return nodes

        return walk

    def _sorted(self) -> list[_Item]:
        """The items in an order where everything an item's relevance or calculation reads comes
        first (form order otherwise; a remaining circle is broken in form order)."""
        depends: list[set[int]] = []
        for item in self._items:
            needs: set[int] = set()
            if item.parent is not None and item.parent is not self._root:
                needs.add(item.parent.order)
            ancestors = set()
            up = item.parent
            while up is not None:
                ancestors.add(id(up))
                up = up.parent
            inside = {id(i) for i in item.subtree()}
            for expression in (item.relevant, item.calculate):
                for name in expression.names if expression is not None else ():
                    target = self._named.get(name)
                    if target is None or target is item or id(target) in inside:
                        continue
                    if id(target) in ancestors:
                        continue
                    needs.add(target.order)
                    if target.kind == "group":  # its value: all its answers, joined
                        needs.update(i.order for i in target.subtree())
                    # a repeat's entries count once its relevance is known; what its
                    # questions hold is read through their own names
            needs.discard(item.order)
            depends.append(needs)
        users: list[list[int]] = [[] for _ in self._items]
        for order, needs in enumerate(depends):
            for need in needs:
                users[need].append(order)
        waiting = [len(n) for n in depends]
        ready = [o for o, n in enumerate(waiting) if n == 0]
        heapq.heapify(ready)
        done = [False] * len(self._items)
        out: list[_Item] = []
        while len(out) < len(self._items):
            if ready:
                order = heapq.heappop(ready)
                if done[order]:
                    continue
            else:
                order = next(o for o, d in enumerate(done) if not d)
            done[order] = True
            out.append(self._items[order])
            for user in users[order]:
                waiting[user] -= 1
                if waiting[user] == 0 and not done[user]:
                    heapq.heappush(ready, user)
        return out

    # --- the answers -----------------------------------------------------------------------
    def defaults(self) -> dict[str, Any]:
        """Initial answers from the ``default`` column, for questions outside repeats (a default
        written as an expression, such as ``today()``, is worked out now)."""
        out: dict[str, Any] = {}
        state: _State | None = None
        for item in self._items:
            question, raw = item.question, item.source.get("default")
            if question is None or question.repeats or raw is None or raw == "":
                continue
            if item.default is None:
                out[question.name] = raw
                continue
            if state is None:
                now = _now()
                state = self._tree({}, now.date(), now)
            env = state.env
            env.here = env.ctx = state.by_item[item.order][0]
            try:
                value = item.default.string(env)
            except xpath.EvaluationError:
                continue
            if value and value != "NaN":
                out[question.name] = value
        return out

    def check(
        self,
        answers: dict[str, Any],
        *,
        complete: bool = True,
        today: datetime.date | None = None,
        language: str = "",
    ) -> Outcome:
        """Type the answers and apply the form's rules. ``complete=False`` (a draft) leaves
        ``required`` out; ``today`` is the date today() gives (the server's by default);
        ``language`` (a code such as "fr" or a name such as "French (fr)") chooses the form's
        messages."""
        now = _now()
        if today is None:
            today = now.date()
        elif today != now.date():
            now = datetime.datetime.combine(today, now.timetz())
        state = self._tree(answers if isinstance(answers, Mapping) else {}, today, now)
        self._evaluate(state)
        outcome = Outcome(values={}, issues=state.issues)
        self._collect(state.root, outcome.values, outcome, state, complete, language)
        outcome.hidden.update(state.hidden_slots)
        return outcome

    def _tree(
        self, answers: Mapping[str, Any], today: datetime.date, now: datetime.datetime
    ) -> _State:
        document = xpath.Node(xpath.DOCUMENT, None, 0)
        root = _Node(self._root, None, document, 1, ())
        state = _State(xpath.Env(document, today, now), root, [[] for _ in self._items])
        self._fill(self._root.children, answers, root, (), state)
        return state

    def _node(
        self, item: _Item, container: _Node, instance: tuple[int, ...], state: _State
    ) -> _Node:
        state.count += 1
        node = _Node(item, container, container, state.count, instance)
        state.by_item[item.order].append(node)
        if not item.repeats and item.kind != "repeat":
            state.env.named[item.name] = node
        return node

    def _fill(
        self,
        items: list[_Item],
        data: Mapping[str, Any],
        container: _Node,
        instance: tuple[int, ...],
        state: _State,
    ) -> None:
        for item in items:
            if item.kind == "repeat":
                raw = data.get(item.name)
                entries: list[Any] = list(raw) if isinstance(raw, list | tuple) else []
                if raw not in (None, "") and (
                    not isinstance(raw, list | tuple)
                    or not all(isinstance(e, Mapping) for e in entries)
                ):
                    state.issues.append(
                        Issue(
                            item.name,
                            instance,
                            "type",
                            _("The entries of “%(n)s” must be given as a list of answers.")
                            % {"n": item.name},
                        )
                    )
                for position, entry in enumerate(entries, start=1):
                    node = self._node(item, container, (*instance, position), state)
                    inner = entry if isinstance(entry, Mapping) else {}
                    self._fill(item.children, inner, node, node.instance, state)
                continue
            node = self._node(item, container, instance, state)
            if item.kind == "group":
                self._fill(item.children, data, node, instance, state)
            elif item.kind == "question":
                _answer(item, data.get(item.name), node)
            elif item.type == "today":
                node.text = state.env.today.isoformat()
            elif item.kind == "metadata":
                node.text = xpath.to_string(state.env.now)

    def _evaluate(self, state: _State) -> None:
        """Relevance and calculations, each after everything it reads."""
        env = state.env
        for item in self._order:
            if item.kind == "repeat":
                self._repeat(item, state)
                continue
            relevant, calculate = item.relevant, item.calculate
            for node in state.by_item[item.order]:
                container = node.container
                if container is not None and container.hidden:
                    node.hidden = True
                elif relevant is not None:
                    env.here = env.ctx = node
                    try:
                        node.hidden = not relevant.boolean(env)
                    except xpath.EvaluationError as exc:
                        node.errors.append(_failed(relevant, exc))
                if node.hidden:
                    if item.kind != "group":
                        node.text = ""
                    continue
                if calculate is not None:
                    env.here = env.ctx = node
                    try:
                        node.text = calculate.string(env)
                    except xpath.EvaluationError as exc:
                        node.text = ""
                        node.errors.append(_failed(calculate, exc))

    def _repeat(self, item: _Item, state: _State) -> None:
        env = state.env
        parent = item.parent
        places = (
            state.by_item[parent.order]
            if parent is not None and parent is not self._root
            else [state.root]
        )
        for place in places:
            hidden = place.hidden
            if not hidden and item.relevant is not None and not item.self_referring:
                env.here = env.ctx = place
                try:
                    hidden = not item.relevant.boolean(env)
                except xpath.EvaluationError as exc:
                    message = _failed(item.relevant, exc)
                    state.issues.append(Issue(item.name, place.instance, "constraint", message))
            if hidden:
                state.hidden_slots.append((item.name, place.instance))
            for entry in place.kids.get(item.name, ()):
                assert isinstance(entry, _Node)
                entry_hidden = hidden
                if not hidden and item.relevant is not None and item.self_referring:
                    env.here = env.ctx = entry
                    try:
                        entry_hidden = not item.relevant.boolean(env)
                    except xpath.EvaluationError as exc:
                        entry.errors.append(_failed(item.relevant, exc))
                entry.hidden = entry.gone = entry_hidden

    def _collect(
        self,
        container: _Node,
        values: dict[str, Any],
        outcome: Outcome,
        state: _State,
        complete: bool,
        language: str,
    ) -> None:
        """Values, issues and hidden places below ``container``, in document order."""
        shown: dict[str, bool] = {}  # repeats: whether any entry is relevant
        for child in container.children:
            assert isinstance(child, _Node)
            item = child.item
            if child.hidden and item.kind not in ("metadata", "other"):
                outcome.hidden.add((item.name, child.instance))
            for message in child.errors:
                outcome.issues.append(Issue(item.name, child.instance, "constraint", message))
            if item.kind == "group":
                self._collect(child, values, outcome, state, complete, language)
            elif item.kind == "repeat":
                entry: dict[str, Any] = {}
                values.setdefault(item.name, []).append(entry)
                shown[item.name] = shown.get(item.name, False) or not child.hidden
                self._collect(child, entry, outcome, state, complete, language)
            elif item.kind == "question" and not child.hidden:
                self._judge(child, values, outcome, state, complete, language)
        for name, any_shown in shown.items():
            if not any_shown:
                values.pop(name, None)

    def _judge(
        self,
        node: _Node,
        values: dict[str, Any],
        outcome: Outcome,
        state: _State,
        complete: bool,
        language: str,
    ) -> None:
        """The rules on one relevant question."""
        item, env = node.item, state.env
        name, instance = item.name, node.instance
        if node.problem is not None:
            code, message = node.problem
            outcome.issues.append(Issue(name, instance, code, message))
            return
        if item.type == "calculate":
            if node.text:
                result = calculated(str(item.bind.get("type") or ""), node.text)
                if result is not None:
                    values[name] = result
            return
        allowed: list[str] | None = None
        if item.choice_filter is not None:
            allowed = self._allowed(item, node, outcome, state)
            outcome.choices[(name, instance)] = allowed
        if node.value is None:
            if complete and self._required(item, node, outcome, state):
                message = self._translated(item.bind.get("jr:requiredMsg"), language) or _(
                    "This question needs an answer."
                )
                outcome.issues.append(Issue(name, instance, "required", message))
            return
        values[name] = node.value
        if allowed is not None:
            chosen = node.value if isinstance(node.value, list) else [node.value]
            outside = [c for c in chosen if c not in allowed]
            if outside:
                message = _("“%(v)s” is not among the choices offered here.") % {
                    "v": " ".join(outside)
                }
                outcome.issues.append(Issue(name, instance, "choice", message))
                return
        if item.constraint is not None:
            env.here = env.ctx = node
            try:
                accepted = item.constraint.boolean(env)
            except xpath.EvaluationError as exc:
                failure = _failed(item.constraint, exc)
                outcome.issues.append(Issue(name, instance, "constraint", failure))
                return
            if not accepted:
                message = self._translated(item.bind.get("jr:constraintMsg"), language) or _(
                    "“%(v)s” does not meet the condition of this question (%(rule)s)."
                ) % {"v": node.text, "rule": item.constraint.source}
                outcome.issues.append(Issue(name, instance, "constraint", message))

    def _required(self, item: _Item, node: _Node, outcome: Outcome, state: _State) -> bool:
        if isinstance(item.required, bool):
            return item.required
        env = state.env
        env.here = env.ctx = node
        try:
            return item.required.boolean(env)
        except xpath.EvaluationError as exc:
            failure = _failed(item.required, exc)
            outcome.issues.append(Issue(item.name, node.instance, "constraint", failure))
            return False

    def _allowed(self, item: _Item, node: _Node, outcome: Outcome, state: _State) -> list[str]:
        env, rule = state.env, item.choice_filter
        assert rule is not None
        env.here = node
        allowed: list[str] = []
        try:
            for name, choice in item.choice_items:
                env.ctx = choice
                if rule.boolean(env):
                    allowed.append(name)
        except xpath.EvaluationError as exc:
            failure = _failed(rule, exc)
            outcome.issues.append(Issue(item.name, node.instance, "constraint", failure))
            return [name for name, _choice in item.choice_items]
        finally:
            env.ctx = node
        return allowed

    def _translated(self, value: Any, language: str) -> str:
        """A form's text in ``language`` (a code or a name), else in the form's default
        language, else in the first it has."""
        if isinstance(value, str):
            return value
        if not isinstance(value, dict) or not value:
            return ""
        wanted = language.strip().lower()
        if wanted:
            for key, text in value.items():
                match = LANGUAGE.match(str(key))
                known = {str(key).strip().lower()}
                if match:
                    known |= {match.group("code").lower(), match.group("name").strip().lower()}
                if wanted in known and text:
                    return str(text)
        for key in (self.default_language, "default"):
            if value.get(key):
                return str(value[key])
        return str(next((t for t in value.values() if t), ""))


def _now() -> datetime.datetime:
    now = timezone.now()
    return timezone.localtime(now) if timezone.is_aware(now) else now


def _failed(expression: xpath.Expression, exc: Exception) -> str:
    return _("The rule “%(rule)s” could not be checked: %(why)s") % {
        "rule": expression.source,
        "why": exc,
    }


def _answer(item: _Item, raw: Any, node: _Node) -> None:
    """Type one raw answer into ``node`` (value and text), or note why it cannot be."""
    question = item.question
    assert question is not None
    if question.type == "calculate":
        node.text = raw_text(raw) or ""  # what once() keeps
        return
    if blank(raw):
        return
    try:
        node.value, node.text = typed(question.type, raw, item.choices)
    except Refused as refused:
        node.problem = (refused.code, refused.message)
