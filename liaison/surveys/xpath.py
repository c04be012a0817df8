"""The expressions of XLSForm questionnaires (``relevant``, ``constraint``, ``calculate``,
``choice_filter``): XPath 1.0 with the ODK functions, as ODK Collect and Enketo read them.

``check`` parses an expression with elementpath's XPath 1.0 parser, extended with the ODK
functions listed in ``ODK_FUNCTIONS``; an expression using any other function is refused by name,
so that a questionnaire never relies on something Liaison would ignore.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from elementpath import XPath1Parser
from elementpath.exceptions import ElementPathError, MissingContextError

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
REFERENCE = re.compile(r"\$\{([^}]*)\}")


class OdkXPathParser(XPath1Parser):
    symbol_table = {**XPath1Parser.symbol_table}


def evaluate_without_answers(self: Any, context: Any = None) -> Any:
    # Questionnaire expressions read the answers; there is nothing to compute without them.
    raise MissingContextError("an ODK function needs the answers")


for _name, _nargs in ODK_FUNCTIONS.items():
    if _name not in OdkXPathParser.symbol_table:
        token = OdkXPathParser.function(_name, nargs=_nargs)
        OdkXPathParser.method(token)(evaluate_without_answers)
OdkXPathParser.build()


def references(expression: str) -> list[str]:
    """The question names an expression refers to as ``${name}``."""
    return REFERENCE.findall(expression or "")


def check(expression: str) -> str | None:
    """Why ``expression`` is not a valid XLSForm expression, or None when it is."""
    if not expression.strip():
        return None
    prefixed = re.search(r"\b(jr|odk):([\w-]+)\s*\(", expression)
    if prefixed:
        return _("The function %(f)s() is not supported.") % {"f": prefixed.group(0)[:-1].strip()}
    # ${name} stands for the answer's node; any path parses the same way.
    source = REFERENCE.sub(lambda m: "/data/" + (m.group(1).strip() or "_"), expression)
    try:
        OdkXPathParser().parse(source)
    except ElementPathError as exc:
        message = str(exc.message) if hasattr(exc, "message") else str(exc)
        function = re.search(r"unknown function '([^']+)'", message)
        if function:
            return _("The function %(f)s() is not supported.") % {"f": function.group(1)}
        return _("This expression cannot be read: %(why)s") % {"why": message}
    return None
