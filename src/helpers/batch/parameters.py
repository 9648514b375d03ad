"""A notebook's parameters: read from its ``parameters`` cell, checked before any kernel.

``notebook_parameters`` reads the typed, commented literals of a notebook's ``parameters``
cell (``name: type = value  # help``); ``validate_parameters`` checks a parameter set
against them (names, types, region and period, language, denominators, data folder) and
raises one ``ParameterError`` line for the first problem; ``read_parameter_file`` and
``parse_assignments`` read ``--param-file`` and ``-p name=value``. Errors never quote a
parameter file's content.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import ParameterError
from helpers.report.i18n import check_language

#: Parameter names that could carry a secret into papermill's metadata: refused.
SECRET_NAME = re.compile(r"(key|secret|token|password|credential)", re.I)


@dataclass(frozen=True)
class NotebookParameter:
    """One line of a notebook's ``parameters`` cell: name, type, default, help."""

    name: str
    type_name: str
    default: object
    help: str


def notebook_parameters(notebook: str | Path) -> dict[str, NotebookParameter]:
    """The typed parameters declared in a notebook's ``parameters`` cell.

    The names, types and help are what ``papermill.inspect_notebook`` reads (a test
    checks it on every notebook), but this parse is our own, for two reasons:

    - **papermill loses information.** Its line-by-line regular expression drops a
      parameter whose text holds ``=`` (``note: str = "a=b"`` is skipped with a log
      warning) and cuts a text holding ``#`` (``colour: str = "#fff"  # bar`` gives the
      default ``'"'``); it gives the default as source text (``'"52.02"'``), reads a
      derived ``y = x + 1`` as one more parameter, takes the first of several cells
      tagged ``parameters`` and returns nothing when none is. Here each of these is
      read right or is a ``ParameterError`` naming the line.
    - **It is fast.** It runs in the CLI before any kernel, and a user mistake must be
      one line at once. ``import papermill`` alone takes 1.3–2.2 s on this project's
      machines (it imports nbclient, nbformat and the Jupyter client), which the batch
      process otherwise never imports; this parse is ``json`` and ``ast``: under 1 ms
      per notebook, about 30 ms with the module's own imports.

    Raises:
        ParameterError: not exactly one cell tagged ``parameters``, or a statement in
            it that is not ``name: type = literal  # help``.
    """
    path = Path(notebook)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))  # json: nbformat imports slowly
    except (OSError, json.JSONDecodeError) as error:
        raise ParameterError(f"cannot read notebook ({error})", path=path,
                             fix="check the notebook path") from None
    cells = [c for c in nb.get("cells", [])
             if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{path.name} has {len(cells)} cells tagged 'parameters'",
                             path=path, fix="tag exactly one cell 'parameters'")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    lines = source.splitlines()
    try:
        statements = ast.parse(source).body
    except SyntaxError as error:
        raise ParameterError(f"{path.name}: parameters cell line {error.lineno} is not "
                             "Python", path=path, fix="write one typed literal per line") \
            from None
    result = {}
    for node in statements:
        try:
            if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and node.value is not None):
                raise ValueError(node)
            default = ast.literal_eval(node.value)
        except ValueError:
            raise ParameterError(f"{path.name}: parameters cell line {node.lineno} is not "
                                 "'name: type = literal'", path=path,
                                 fix="write one typed literal per line; derived values "
                                     "go in the next cell") from None
        # The help is the comment after the value (a '#' inside a text value is not one).
        rest = lines[node.end_lineno - 1][node.end_col_offset:].strip()
        comment = rest[1:].strip() if rest.startswith("#") else ""
        result[node.target.id] = NotebookParameter(
            name=node.target.id, type_name=ast.unparse(node.annotation),
            default=default, help=comment)
    return result


_TYPES = {"str": str, "int": int, "float": float, "bool": bool}


def coerce_parameter(declared: NotebookParameter, value, *, where: str) -> object:
    """``value`` as the declared type: CLI text is parsed, anything else must match.

    Raises:
        ParameterError: the value cannot be the declared type.
    """
    wanted = _TYPES.get(declared.type_name)
    if wanted is None:
        return value
    name = declared.name
    if isinstance(value, str) and wanted is not str:
        text = value.strip()
        try:
            if wanted is bool:
                if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                return text.lower() in ("true", "1", "yes")
            return wanted(text)
        except ValueError:
            raise ParameterError(f"{where}: parameter '{name}' must be {_type_words(wanted)}, "
                                 f"got '{value}'", fix=f"e.g. {name}={declared.default!r}") \
                from None
    if wanted is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if wanted is not bool and isinstance(value, bool):
        raise ParameterError(f"{where}: parameter '{name}' must be {_type_words(wanted)}, "
                             f"got {value!r}", fix=f"e.g. {name}={declared.default!r}")
    if not isinstance(value, wanted):
        raise ParameterError(
            f"{where}: parameter '{name}' must be {_type_words(wanted)}, got {value!r} "
            f"({type(value).__name__})",
            fix=f"e.g. {name}: {declared.default!r}"
                + (" (quote it in YAML)" if wanted is str else ""))
    return value


def _type_words(kind: type) -> str:
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false"}[kind]


def _closeness(name: str, candidate: str) -> float:
    """How close a typed name is to a parameter name (0-1): the best
    :class:`difflib.SequenceMatcher` ratio over the name and every run of its words, so
    'regoin' is close to region_code (via 'region') rather than to 'engine'."""
    words = candidate.lower().split("_")
    forms = {"_".join(words[i:j]) for i in range(len(words))
             for j in range(i + 1, len(words) + 1)}
    typed = name.lower()
    return max(difflib.SequenceMatcher(None, typed, form).ratio() for form in forms)


def closest_names(name: str, names, *, count: int = 3, cutoff: float = 0.6) -> list[str]:
    """The parameter names closest to ``name``, closest first (ties by name), at most
    ``count``, none below ``cutoff``; every name is ranked, not only the first match."""
    scored = sorted(((_closeness(name, candidate), candidate)
                     for candidate in dict.fromkeys(names)), key=lambda x: (-x[0], x[1]))
    best = scored[0][0] if scored else 0.0
    return [candidate for score, candidate in scored
            if score >= cutoff and score >= best - 0.1][:count]


def _suggestion(name: str, path: Path, declared: dict) -> str:
    """'did you mean …? known: …' over this notebook's names and, marked with their
    notebook, the names of the other notebooks next to it."""
    others: dict[str, str] = {}
    for sibling in sorted(path.parent.glob("*.ipynb")):
        if sibling.name == path.name:
            continue
        try:
            for other in notebook_parameters(sibling):
                others.setdefault(other, sibling.name)
        except (ParameterError, OSError, ValueError, KeyError):
            continue  # a notebook without a readable parameters cell suggests nothing
    own = closest_names(name, declared)
    foreign = [n for n in closest_names(name, [*declared, *others]) if n not in declared]
    if name in others and not own:
        hint = f"'{name}' is a parameter of {others[name]}, not of {path.name}; "
    else:
        hints = [f"'{n}'" for n in own] or [f"'{n}' ({others[n]})" for n in foreign]
        hint = f"did you mean {' or '.join(hints)}? " if hints else ""
    return f"{hint}known: {', '.join(declared)}"


def validate_parameters(notebook: str | Path, parameters: dict) -> dict:
    """Check a parameter set against a notebook, before any kernel starts.

    Checks names (unknown → error with the closest name), types (coerced from CLI
    text), and values: region/province codes, period within the data years, language,
    labour denominator, population vintage, grace months, shares, data folder.

    Returns:
        The parameters coerced to their declared types.

    Raises:
        ParameterError: the first problem, as one line.
    """
    from helpers.data import reference
    from helpers.report import report_data

    path = Path(notebook)
    declared = notebook_parameters(path)
    where = path.name
    result = {}
    for name, value in parameters.items():
        if SECRET_NAME.search(name):
            raise ParameterError(f"{where}: parameter '{name}' looks like a secret; secrets "
                                 "must not be notebook parameters (papermill stores them in "
                                 "the output notebook)",
                                 fix="use an environment variable such as CAKUPAN_KEY")
        if name not in declared:
            raise ParameterError(f"{where}: unknown parameter '{name}'",
                                 fix=_suggestion(name, path, declared))
        result[name] = coerce_parameter(declared[name], value, where=where)
    merged = {name: p.default for name, p in declared.items()} | result
    if "region_code" in merged:
        result_code = report_data.check_region(merged["region_code"])
        if "region_code" in result:
            result["region_code"] = result_code
    if "province_code" in merged:
        code = report_data.check_region(merged["province_code"], kind="provinsi")
        if "province_code" in result:
            result["province_code"] = code
    if "period" in merged:
        report_data.check_period(merged["period"])
    if "reference_date" in merged:
        report_data.explorer_date(merged["reference_date"])
    if "lang" in merged:
        check_language(merged["lang"])
    if "labour_denominator" in merged and \
            merged["labour_denominator"] not in reference.LABOUR_DENOMINATORS:
        raise ParameterError(f"{where}: unknown labour_denominator "
                             f"'{merged['labour_denominator']}'",
                             fix="use one of " + ", ".join(reference.LABOUR_DENOMINATORS))
    if "population_vintage" in merged and \
            merged["population_vintage"] not in reference.population_vintages():
        raise ParameterError(f"{where}: unknown population_vintage "
                             f"'{merged['population_vintage']}'",
                             fix="use one of " + ", ".join(reference.population_vintages()))
    if "grace_months" in merged and merged["grace_months"] < 0:
        raise ParameterError(f"{where}: grace_months {merged['grace_months']} is negative",
                             fix="use 0 or more whole months (default 1)")
    if "cover_share" in merged and not 0 <= merged["cover_share"] <= 1:
        raise ParameterError(f"{where}: cover_share {merged['cover_share']} is not a share 0-1",
                             fix="e.g. 0.5 for half")
    if merged.get("data_dir"):
        report_data.resolve_data_dir(merged["data_dir"])
    return result


def parse_assignments(items: list[str] | None) -> dict:
    """``-p name=value`` options as a dict (values stay text; validation coerces)."""
    result = {}
    for item in items or []:
        if "=" not in item:
            raise ParameterError(f"-p {item}: expected name=value", fix="e.g. -p grace_months=2")
        name, value = item.split("=", 1)
        result[name.strip()] = value
    return result


#: Parameters the ``report(s)`` command sets from its own options, never from ``-p``.
RESERVED = ("region_code", "province_code", "period", "lang", "data_dir", "output_dir",
            "report_links")


def command_parameters(param_file: str | Path | None = None,
                       assignments: list[str] | None = None, *,
                       engine: str | None = None) -> dict:
    """The further notebook parameters of a ``report(s)`` command, not yet validated.

    Args:
        param_file: a YAML or JSON parameter file (``--param-file``), or None.
        assignments: ``name=value`` texts (``-p``); they override the file.
        engine: the ``--engine`` option, or None (the notebooks' default).

    Raises:
        ParameterError: a bad file or assignment, or a parameter the command sets
            itself (``period``, ``region_code``…).
    """
    extra = read_parameter_file(param_file) if param_file else {}
    extra.update(parse_assignments(assignments))
    if engine:
        extra["engine"] = engine
    for reserved in RESERVED:
        if reserved in extra:
            raise ParameterError(f"parameter '{reserved}' is set by the command",
                                 fix=f"use the command's option instead of -p {reserved}=…")
    return extra


#: A parameter file is a few lines; anything larger is not one.
MAX_PARAMETER_FILE_BYTES = 1024 * 1024
_PARAMETER_FILE_FIX = "give a YAML or JSON file of name: value lines"


def read_parameter_file(path: str | Path) -> dict:
    """A parameter set from a YAML or JSON file (``notebooks/parameters/*.yaml``).

    Errors name the file, the line and column and the kind of problem, never a line of
    the file: a parameter file may sit beside secrets, or hold one by mistake.

    Raises:
        ParameterError: the file is missing, a folder, unreadable, larger than 1 MB,
            binary, not UTF-8, not valid YAML/JSON, or not a mapping of names.
    """
    path = Path(path)
    if path.is_dir():
        raise ParameterError("the parameter file is a folder", path=path,
                             fix=_PARAMETER_FILE_FIX)
    if not path.exists():
        raise ParameterError("parameter file not found", path=path, fix=_PARAMETER_FILE_FIX)
    if not path.is_file():
        raise ParameterError("the parameter file is not a regular file", path=path,
                             fix=_PARAMETER_FILE_FIX)
    try:
        if path.stat().st_size > MAX_PARAMETER_FILE_BYTES:
            raise ParameterError(
                f"the parameter file is {path.stat().st_size / 1024 / 1024:.1f} MB, not a "
                "few lines of parameters", path=path, fix=_PARAMETER_FILE_FIX)
        raw = path.read_bytes()
    except OSError as error:
        reason = "permission denied" if isinstance(error, PermissionError) else \
            (error.strerror or type(error).__name__).lower()
        raise ParameterError(f"cannot read the parameter file ({reason})", path=path,
                             fix="check that the file is readable by you") from None
    if b"\0" in raw:
        raise ParameterError("the parameter file is a binary file, not YAML or JSON text",
                             path=path, fix=_PARAMETER_FILE_FIX)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(raw[:error.start])
        raise ParameterError(f"the parameter file is not UTF-8 text (line {line}, column "
                             f"{column})", path=path, fix="save it as UTF-8") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:  # msg is json's own wording, no file text
            raise ParameterError(f"the parameter file is not valid JSON: {error.msg} at line "
                                 f"{error.lineno}, column {error.colno}", path=path,
                                 fix="write one JSON object of \"name\": value pairs") \
                from None
        except RecursionError:
            raise ParameterError("the parameter file is not valid JSON: nested too deeply",
                                 path=path, fix=_PARAMETER_FILE_FIX) from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ParameterError(f"the parameter file is not valid YAML: "
                                 f"{_yaml_problem(error, text)}", path=path,
                                 fix="write name: value lines") from None
        except RecursionError:
            raise ParameterError("the parameter file is not valid YAML: nested too deeply",
                                 path=path, fix=_PARAMETER_FILE_FIX) from None
    if not isinstance(data, dict):
        raise ParameterError("the parameter file is empty or not a mapping of names to "
                             "values", path=path, fix="write name: value lines")
    if not all(isinstance(name, str) for name in data):
        raise ParameterError("a parameter name in the parameter file is not text (a number, "
                             "a date or a list)", path=path,
                             fix="names are the notebook's parameter names, e.g. grace_months")
    return data


def _line_and_column(before: bytes | str) -> tuple[int, int]:
    """1-based line and column of the position right after ``before``."""
    newline = b"\n" if isinstance(before, bytes) else "\n"
    line = before.count(newline) + 1
    return line, len(before) - (before.rfind(newline) + 1) + 1


#: The kind of a YAML error, by PyYAML's class name.
_YAML_KINDS = {"ScannerError": "a syntax error", "ParserError": "a structure error",
               "ComposerError": "an anchor or alias error",
               "ConstructorError": "a value that cannot be read",
               "ReaderError": "a character YAML does not allow"}
#: Quoted text in PyYAML's problem phrases: characters or tags copied from the file.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def _yaml_problem(error, text: str) -> str:
    """Kind, position and PyYAML's phrase with anything quoted from the file removed."""
    kind = _YAML_KINDS.get(type(error).__name__, "an error")
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        where = f" at line {mark.line + 1}, column {mark.column + 1}"
    elif isinstance(getattr(error, "position", None), int):
        line, column = _line_and_column(text[:error.position])
        where = f" at line {line}, column {column}"
    else:
        where = ""
    phrase = getattr(error, "problem", None)
    detail = " ".join(_QUOTED.sub("…", phrase).split()) if isinstance(phrase, str) else ""
    return f"{kind}{where}" + (f" ({detail})" if detail else "")


__all__ = ["MAX_PARAMETER_FILE_BYTES", "RESERVED", "SECRET_NAME", "NotebookParameter",
           "closest_names", "coerce_parameter", "command_parameters", "notebook_parameters",
           "parse_assignments", "read_parameter_file", "validate_parameters"]
