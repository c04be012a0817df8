"""The expressions of XLSForm questionnaires (``relevant``, ``constraint``, ``calculate``,
``choice_filter``): XPath 1.0 with the ODK functions, as ODK Collect and Enketo read them.

Three modules, one per concern, all names re-exported here:

- ``compiler``: reading an expression (elementpath's XPath 1.0 parser extended with the ODK
  functions), ``check`` at upload, ``compile`` into plain Python closures once per form;
- ``functions``: what each XPath and ODK function computes;
- ``values``: the answers' tree (``Node``), the evaluation's ``Env`` and JavaRosa's conversions,
  comparisons, arithmetic and dates.

``${name}`` references are resolved by the caller (``engine``), which knows the form's repeats.
"""

from __future__ import annotations

from liaison.surveys.xpath.compiler import (
    AXES,
    ODK_EXTENDED,
    ODK_FUNCTIONS,
    REFERENCE,
    REVERSE_AXES,
    Expression,
    OdkXPathParser,
    Unsupported,
    broken,
    check,
    compile,
    evaluate_without_answers,
    references,
)
from liaison.surveys.xpath.functions import FUNCTIONS, LAZY, Impl
from liaison.surveys.xpath.values import (
    ARITHMETIC,
    DATE,
    DOCUMENT,
    EPOCH,
    EPOCH_TIME,
    MONTHS,
    NAN,
    NUMBER,
    RELATIONS,
    WEEKDAYS,
    Env,
    EvaluationError,
    Fn,
    Node,
    Step,
    Value,
    days,
    equals,
    format_date,
    number_text,
    parse_date,
    relation,
    string_value,
    text_number,
    to_boolean,
    to_date,
    to_number,
    to_string,
)

__all__ = [
    "ARITHMETIC",
    "AXES",
    "DATE",
    "DOCUMENT",
    "EPOCH",
    "EPOCH_TIME",
    "FUNCTIONS",
    "LAZY",
    "MONTHS",
    "NAN",
    "NUMBER",
    "ODK_EXTENDED",
    "ODK_FUNCTIONS",
    "REFERENCE",
    "RELATIONS",
    "REVERSE_AXES",
    "WEEKDAYS",
    "Env",
    "EvaluationError",
    "Expression",
    "Fn",
    "Impl",
    "Node",
    "OdkXPathParser",
    "Step",
    "Unsupported",
    "Value",
    "broken",
    "check",
    "compile",
    "days",
    "equals",
    "evaluate_without_answers",
    "format_date",
    "number_text",
    "parse_date",
    "references",
    "relation",
    "string_value",
    "text_number",
    "to_boolean",
    "to_date",
    "to_number",
    "to_string",
]
