"""A short, friendly explanation of the errors beginners meet in the course's notebooks.

A counseling student who leaves a ``...`` in place, types ``false``, ``64%`` or a column
name with a typo, or runs ``fs.corr()`` on a table with text columns, gets a 10- to
60-line traceback written for programmers. :func:`install` (called by ``setup()``)
replaces it with a box that says what happened, what to try and the one line of the
learner's code where it happened, with the full traceback one click away (an HTML
``<details>``).

A real error still counts as an error: the handler publishes an ``error`` output with a
short text, so the cell's execution reply is an error, "Run All" stops there and nbval
fails on it, exactly as before.

How it hooks in: IPython's documented ``InteractiveShell.set_custom_exc``. Since
IPython 5 (ipython/ipython#9515) a handler registered for ``Exception`` also receives the
SyntaxErrors raised while a cell is compiled, so ``64%`` comes through the same path and
``showsyntaxerror`` needs no patching. The two cases that still go to
``showsyntaxerror`` (a cell that IPython's own input transformers reject before Python
parses it, and a SyntaxError raised inside a module being imported) keep IPython's plain
message: they do not come from the slips this module is for.

The logic is plain functions (:func:`explain`, :func:`learner_line`, :func:`render_html`)
that the tests call directly; the IPython handler is a thin layer over them.
"""

from __future__ import annotations

import ast
import difflib
import io
import logging
import re
import sys
import tokenize
import traceback
from dataclasses import dataclass
from html import escape
from types import TracebackType
from typing import Any, Callable, Mapping

log = logging.getLogger(__name__)

CSS_CLASS = "trustlab-error"
# colours from JupyterLab's theme, so the box reads in the light, dark and high-contrast themes
STYLE = ("border-left: 6px solid var(--jp-warn-color1, #b35900); background: var(--jp-layout-color2, #f4f4f4); "
         "color: var(--jp-content-font-color1, #1a1a1a); padding: 6px 12px; margin: 6px 0; line-height: 1.5;")
PRE_STYLE = ("background: var(--jp-layout-color1, #ffffff); color: var(--jp-content-font-color1, #1a1a1a); "
             "padding: 4px 8px; margin: 4px 0; white-space: pre-wrap; overflow-x: auto;")


@dataclass(frozen=True)
class Explanation:
    """What happened and what to try, in plain words (Markdown)."""

    what: str
    todo: str


@dataclass(frozen=True)
class Line:
    """The learner's line where the error happened: where it is, its code, the column to point at."""

    where: str
    code: str
    column: int | None = None


# --- what happened -------------------------------------------------------------------------------

_SPELLINGS = {"false": "False", "true": "True", "none": "None", "null": "None", "nil": "None",
              "FALSE": "False", "TRUE": "True", "NONE": "None", "NULL": "None"}


def explain(error: BaseException, line: str = "", names: Mapping[str, Any] | None = None,
            table: Any = None) -> Explanation:
    """The explanation for ``error``, raised at ``line``; always returns one (a general one at worst).

    ``names`` is the learner's namespace (to name the ``...`` still in place, or a name
    they may have meant); ``table`` is the pandas object the failing call was made on,
    when there was one (to list its real columns or labels).
    """
    names = names or {}
    for rule in _RULES:
        found = rule(error, line, names, table)
        if found:
            return found
    return _general(error)


def _leftover_ellipsis(error, line, names, table) -> Explanation | None:
    if not isinstance(error, (TypeError, AttributeError, ValueError)) or "ellipsis" not in str(error):
        return None
    holding = [f"`{n}`" for n, v in names.items() if v is Ellipsis and not n.startswith("_")]
    which = f" These names still hold `...`: {', '.join(holding)}." if holding else ""
    return Explanation(
        "A `...` is still standing in for an answer, and Python tried to calculate with it "
        f"(a `...` is a placeholder, not a value).{which}",
        "Replace each `...` with your answer, in this cell and in any cell above that this one "
        "uses. Run those cells, then run this one again.")


def _percent_sign(error, line, names, table) -> Explanation | None:
    if not isinstance(error, SyntaxError):
        return None
    number = _number_before_percent(line)
    if number is None:
        return None
    proportion = f"{float(number) / 100:g}"
    return Explanation(
        f"Python reads `%` as a calculation sign (the remainder after dividing), not as "
        f"\"percent\", so `{number}%` is an unfinished calculation and nothing in the cell ran.",
        f"Put it in quotes, `\"{number}%\"`: the course's checks read that as {number} percent. Or write "
        f"the plain number the question asks for: `{proportion}` as a proportion, `{number}` as a percent.")


def _number_before_percent(line: str) -> str | None:
    """The number in ``64%`` when a ``%`` follows a number and ends the expression (not ``7 % 2``)."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(line).readline)
                  if t.type not in (tokenize.NL, tokenize.COMMENT)]
    except (tokenize.TokenError, SyntaxError):
        return None
    for before, token, after in zip(tokens, tokens[1:], tokens[2:] + [None]):
        if token.string == "%" and before.type == tokenize.NUMBER:
            ends = after is None or after.type in (tokenize.NEWLINE, tokenize.ENDMARKER) \
                or after.string in (")", "]", "}", ",")
            if ends:
                return before.string
    return None


def _syntax(error, line, names, table) -> Explanation | None:
    if isinstance(error, IndentationError):
        return Explanation(
            "The spaces at the start of a line are not what Python expected, so nothing in the cell ran.",
            "Remove the spaces at the start of the line shown below, or, if it belongs inside an `if` "
            "or a `for`, indent it by four spaces like the line above it.")
    if isinstance(error, SyntaxError):
        return Explanation(
            "Python could not read this line: something in how it is written is off, so nothing in "
            "the cell ran.",
            "Look near the `^` for a missing or extra bracket, quote, comma or colon. Text needs "
            "quotes around it (`\"mandated\"`); numbers and names do not (`0.25`, `fs`).")
    return None


def _python_spelling(error, line, names, table) -> Explanation | None:
    name = getattr(error, "name", None) if isinstance(error, NameError) else None
    if name not in _SPELLINGS:
        return None
    right = _SPELLINGS[name]
    return Explanation(f"Python does not know the word `{name}`.",
                       f"Python spells it `{right}`, with a capital {right[0]} and the rest in small letters.")


def _unknown_name(error, line, names, table) -> Explanation | None:
    name = getattr(error, "name", None) if isinstance(error, NameError) else None
    if not name:
        return None
    close = difflib.get_close_matches(name, [n for n in names if not n.startswith("_")], n=1, cutoff=0.75)
    meant = f"Did you mean `{close[0]}`? Names must match exactly, capitals included. " if close else ""
    return Explanation(
        f"Python does not know the name `{name}`: nothing called `{name}` has been made in this session.",
        f"{meant}If `{name}` is a word of text, such as the name of a group, put it in quotes: "
        f"`\"{name}\"`. If it is made in an earlier cell, run that cell first: when a notebook opens "
        "or restarts, Python knows nothing until its cells run (**Run › Run All Above Selected Cell**).")


def _text_in_a_calculation(error, line, names, table) -> Explanation | None:
    message = str(error)
    text_problem = ("could not convert string to float" in message or "with string dtype" in message
                    or ("Cannot perform" in message and "dtype" in message))
    if not isinstance(error, (ValueError, TypeError)) or not text_problem or not _is_table(table):
        return None
    method = re.search(r"(\w+)\.(corr|mean|median|sum|std|var|cov|min|max)\(\s*\)", line)
    name, how = (method.group(1), method.group(2)) if method else ("fs", "mean")
    is_frame = hasattr(table, "columns")
    numeric = [str(c) for c, kind in table.dtypes.items() if _is_numeric(kind)][:2] if is_frame else []
    pick = f"{name}[[{', '.join(repr(c) for c in numeric)}]]".replace("'", '"') if len(numeric) == 2 else ""
    if not is_frame:
        todo = "This column holds text, not numbers: choose a column of numbers instead."
    elif method:
        todo = (f"Use only the number columns: `{name}.{how}(numeric_only=True)`"
                + (f", or choose the columns you want: `{pick}.{how}()`." if pick else "."))
    else:
        todo = ("Use only the number columns: add `numeric_only=True` inside the brackets, or choose "
                "the columns you want first" + (f", such as `{pick}`." if pick else "."))
    whole = f"`{method.group(0)}`" if method else "This calculation"
    return Explanation(
        f"{whole} needs numbers, but the table also has text (such as client codes), and Python "
        "cannot turn text into a number.", todo)


def _missing_column(error, line, names, table) -> Explanation | None:
    if isinstance(error, KeyError) and _is_table(table):
        wanted = _missing_keys(error)
    elif isinstance(error, AttributeError) and _is_table(table) and getattr(error, "name", None):
        if not _close(str(error.name), _labels(table)):
            return None
        wanted = [error.name]
    else:
        return None
    labels = _labels(table)
    is_frame = hasattr(table, "columns")
    thing, things = ("column", "columns") if is_frame else ("row labelled", "labels")
    shown = ", ".join(_code(label) for label in labels[:30]) + (" …" if len(labels) > 30 else "")
    missing = " or ".join(_code(key) for key in wanted) or "that name"
    suggestions = [_code(_close(str(key), labels)) for key in wanted if _close(str(key), labels) is not None]
    meant = f"Did you mean {' or '.join(suggestions)}? " if suggestions else ""
    return Explanation(
        f"There is no {thing} {missing} in this {'table' if is_frame else 'result'}.",
        f"{meant}Names must match exactly, capitals and underscores included, inside quotes and "
        f"square brackets. The {things} are: {shown}.")


def _zero_division(error, line, names, table) -> Explanation | None:
    if not isinstance(error, ZeroDivisionError):
        return None
    return Explanation(
        "The calculation divided by zero.",
        "If you divided by the number of rows in a group, that group has no rows: check the group's "
        "name in your filter, spelled exactly as in the data (capitals matter).")


# Libraries a learner's natural next step can reach for that the course does not install, with
# what to do instead (a learner cannot pip install on every Binder or hub).
_NOT_INSTALLED = {
    "scipy": ("pandas needs SciPy for this (Spearman or Kendall correlations, for example), and the course does "
              "not install it.",
              "For a Spearman correlation, rank first and use the ordinary correlation: "
              "`df[\"a\"].rank().corr(df[\"b\"].rank())` gives the same number."),
}


def _not_installed(error, line, names, table) -> Explanation | None:
    if not isinstance(error, ImportError):
        return None
    name = (getattr(error, "name", None) or "").partition(".")[0]
    if not name:
        found = re.search(r"[\"'`]?(\w+)[\"'`]?", str(error).split("requires", 1)[-1]) if "requires" in str(error) else None
        name = found.group(1).lower() if found else ""
    what, todo = _NOT_INSTALLED.get(name, (
        f"This needs the Python library `{name or 'named in the error'}`, which the course does not install.",
        "Look for another way to do it with pandas, or ask your instructor whether the library is needed."))
    return Explanation(what, todo)


def _general(error: BaseException) -> Explanation:
    return Explanation(
        f"Python stopped with an error it could not get past: `{type(error).__name__}: {_short(error)}`.",
        "Check the line below for a typo, and make sure every cell above this one has run "
        "(**Run › Run All Above Selected Cell**). If you cannot see the problem, open the full error "
        "message below and show it to your instructor or a classmate.")


_RULES: list[Callable[[BaseException, str, Mapping[str, Any], Any], Explanation | None]] = [
    _leftover_ellipsis, _percent_sign, _syntax, _python_spelling, _unknown_name,
    _text_in_a_calculation, _missing_column, _zero_division, _not_installed,
]


def _short(error: BaseException, limit: int = 200) -> str:
    """The error's own message on one line (a SyntaxError without the cell's internal file name)."""
    message = error.msg if isinstance(error, SyntaxError) and error.msg else str(error)
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _code(label: Any) -> str:
    """A label as the learner would type it: ``"session1_rating"`` for text, ``3`` for a number."""
    return f'`"{label}"`' if isinstance(label, str) else f"`{label!r}`"


def _is_table(value: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, (pandas.DataFrame, pandas.Series))


def _is_numeric(dtype: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return bool(pandas) and pandas.api.types.is_numeric_dtype(dtype) and not pandas.api.types.is_bool_dtype(dtype)


def _labels(table: Any) -> list:
    labels = table.columns if hasattr(table, "columns") else table.index
    return list(labels)


def _close(key: str, labels: list) -> Any:
    """The label ``key`` most likely meant (same letters in another case, or a near spelling)."""
    text = {str(label).casefold(): label for label in labels}
    match = difflib.get_close_matches(key.casefold(), list(text), n=1, cutoff=0.75)
    return text[match[0]] if match else None


def _missing_keys(error: KeyError) -> list:
    """The keys pandas could not find: ``KeyError('x')`` or ``KeyError("['x', 'y'] not in index")``."""
    key = error.args[0] if error.args else ""
    listed = re.fullmatch(r"(\[.*\]) not in index", key) if isinstance(key, str) else None
    if listed:
        try:
            return list(ast.literal_eval(listed.group(1)))
        except (ValueError, SyntaxError):
            return [listed.group(1)]
    return [key]


# --- where it happened ----------------------------------------------------------------------------

def learner_line(error: BaseException, is_cell: Callable[[str], str | None]) -> Line | None:
    """The last line of the learner's own code in the traceback (or the line a SyntaxError points at).

    ``is_cell(filename)`` returns a label such as ``"In[5]"`` for the code of a notebook
    cell, and ``None`` for library code.
    """
    if isinstance(error, SyntaxError):
        label = is_cell(error.filename or "")
        where = f"cell {label}, line {error.lineno}" if label else f"line {error.lineno}"
        return Line(where, (error.text or "").rstrip("\n"), error.offset)
    frames = [f for f in traceback.extract_tb(error.__traceback__) if is_cell(f.filename)]
    if not frames:
        return None
    last = frames[-1]
    return Line(f"cell {is_cell(last.filename)}, line {last.lineno}", (last.line or "").rstrip())


def table_in_error(tb: TracebackType | None) -> Any:
    """The pandas object the failing pandas call was made on (``self`` of the first pandas frame)."""
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__", "").startswith("pandas."):
            owner = frame.f_locals.get("self")
            owner = getattr(owner, "obj", owner)  # .loc / .iloc indexers hold their table in .obj
            if _is_table(owner):
                return owner
        tb = tb.tb_next
    return None


# --- how it looks ---------------------------------------------------------------------------------

def render_html(explanation: Explanation, line: Line | None, full_traceback: str) -> str:
    """The box under the cell: what happened, what to try, the line, the full traceback folded away."""
    from trustlab.checks import markdown_html

    where = ""
    if line and line.code:
        code = line.code if line.column else line.code.strip()
        pointer = "\n" + " " * (line.column - 1) + "^" if line.column else ""
        where = (f"<p><strong>Where:</strong> {escape(line.where)}</p>"
                 f'<pre style="{PRE_STYLE}"><code>{escape(code + pointer)}</code></pre>')
    return (
        f'<div class="{CSS_CLASS}" style="{STYLE}">'
        f"<p><strong>⚠ This cell stopped with an error.</strong></p>"
        f"{markdown_html('**What happened:** ' + explanation.what)}"
        f"{markdown_html('**What to try:** ' + explanation.todo)}"
        f"{where}"
        f"<details><summary>Show the full error message (for your instructor)</summary>"
        f'<pre style="{PRE_STYLE}">{escape(full_traceback)}</pre></details></div>'
    )


def render_text(explanation: Explanation, line: Line | None) -> str:
    """The same explanation as plain text, for places that cannot show HTML."""
    parts = ["This cell stopped with an error.", f"What happened: {explanation.what}",
             f"What to try: {explanation.todo}"]
    if line and line.code:
        parts.append(f"Where: {line.where}: {line.code.strip()}")
    return "\n".join(parts)


def short_traceback(error: BaseException, line: Line | None) -> list[str]:
    """The text of the ``error`` output: one line naming the error and the place, one pointing up."""
    place = f" ({line.where})" if line else ""
    return [f"{type(error).__name__}{place}: {_short(error)}",
            "The box above explains what happened and what to try."]


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --- the IPython hook ----------------------------------------------------------------------------

def install(shell) -> None:
    """Explain errors in this IPython shell (idempotent). The error still stops the notebook."""
    shell.set_custom_exc((Exception,), _handler)


def uninstall(shell) -> None:
    """Back to IPython's plain tracebacks."""
    shell.set_custom_exc((), None)


def _handler(shell, etype, value, tb, tb_offset=None) -> list[str]:
    """IPython's custom exception handler: show the box, then publish a short ``error`` output."""
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # so %debug and %tb still work
    try:
        full = _full_traceback(shell, etype, value, tb, tb_offset)
        line = learner_line(value, lambda name: _cell_label(shell, name))
        explanation = explain(value, line.code if line else "", shell.user_ns, table_in_error(tb))
        from IPython.display import display

        display({"text/html": render_html(explanation, line, full),
                 "text/plain": render_text(explanation, line)}, raw=True)
        short = short_traceback(value, line)
    except Exception:  # never let the explainer hide the learner's error
        log.debug("could not explain %s", etype.__name__, exc_info=True)
        short = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    shell._showtraceback(etype, value, short)  # the error output: the cell fails, Run All stops
    return short


def _cell_label(shell, filename: str) -> str | None:
    named = shell.compile.format_code_name(filename)
    return named[1] if named else None


def _full_traceback(shell, etype, value, tb, tb_offset) -> str:
    if issubclass(etype, SyntaxError):
        stb = shell.SyntaxTB.structured_traceback(etype, value, [])
    else:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    return _ANSI.sub("", shell.InteractiveTB.stb2text(stb))
