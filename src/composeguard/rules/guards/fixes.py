"""The fixes of the guard rules.

- CG501: ``DB::prohibitDestructiveCommands($this->app->isProduction());`` added to
  ``AppServiceProvider::boot()`` (the method added when missing) with its ``use`` line, in the
  file's own indentation; the result must parse and be seen as the guard.
- CG502: a data store's published port bound to ``127.0.0.1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from composeguard.fix.builders import (
    best_effort,
    insert_edit,
    line_indent,
    replace_edit,
    where_in,
    yaml_document,
)
from composeguard.fix.edits import apply_edits
from composeguard.lint.engine.finding import Edit, Fix, fix_builder

if TYPE_CHECKING:
    from composeguard.lint.facts.laravel import LaravelApp, ProviderLayout
    from composeguard.lint.parse.nodes import Node
    from composeguard.lint.project import Project


GUARD_SINCE = (11, 9, 0)


DB_FACADE = "Illuminate\\Support\\Facades\\DB"


GUARD_CALL = "::prohibitDestructiveCommands($this->app->isProduction());"


LOOPBACK = "127.0.0.1"


def _has_the_guard(project: Project, app: LaravelApp) -> bool:
    """The app's Laravel has the guard method, and an AppServiceProvider that parses and
    does not call it yet (tree-sitter reads it in a millisecond)."""
    from composeguard.lint.facts.laravel import provider_layout

    if app.version is None or app.version < GUARD_SINCE:
        return False
    path = app.root / "app" / "Providers" / "AppServiceProvider.php"
    text = project.read_text(path)
    layout = provider_layout(path, text, "AppServiceProvider") if text is not None else None
    return layout is not None and not layout.has_errors and not layout.prohibits


@fix_builder(safe=True, offered=_has_the_guard)
@best_effort
def destructive_guard_fix(project: Project, app: LaravelApp) -> Fix | None:
    """CG501: the guard added to ``AppServiceProvider::boot()``; Laravel 11.9+ only (the
    method does not exist before), never next to an existing call (one passing ``false``
    would decide, whatever we add)."""
    from composeguard.lint.facts.laravel import provider_layout

    if app.version is None or app.version < GUARD_SINCE:
        return None
    path = app.root / "app" / "Providers" / "AppServiceProvider.php"
    text = project.read_text(path)
    layout = provider_layout(path, text, "AppServiceProvider") if text is not None else None
    if text is None or layout is None or layout.has_errors or layout.prohibits:
        return None
    if layout.db_class is None:
        use = _use_edit(path, text, layout)
        if use is None:
            return None
        edits = [use]
        call = "DB" + GUARD_CALL
    elif layout.db_class.lower().lstrip("\\") == DB_FACADE.lower():
        edits, call = [], "DB" + GUARD_CALL
    else:
        edits, call = [], "\\" + DB_FACADE + GUARD_CALL
    boot = _boot_edit(path, text, layout, call)
    if boot is None:
        return None
    edits.append(boot)
    after = apply_edits(text, edits)
    check = provider_layout(path, after, "AppServiceProvider")
    if check is None or check.has_errors or not check.prohibits:
        return None
    where = "AppServiceProvider::boot()" if layout.boot_body is not None else \
        "a new AppServiceProvider::boot()"
    return Fix(f"call `DB::prohibitDestructiveCommands($this->app->isProduction())` in {where}: "
               "migrate:fresh, migrate:refresh, migrate:reset and db:wipe then refuse to run "
               "in production", tuple(edits))


def _use_edit(path: Path, text: str, layout: ProviderLayout) -> Edit | None:
    """``use Illuminate\\Support\\Facades\\DB;`` among the imports, in alphabetical order."""
    lines = text.split("\n")
    line_of = "use " + DB_FACADE + ";\n"
    if layout.imports:
        wanted = DB_FACADE.lower()
        after = [loc for name, loc in layout.imports if name.lower().lstrip("\\") > wanted]
        if after:
            before = after[0]
            if lines[before.line - 1][: before.column - 1].strip():
                return None
            return insert_edit(path, before.line, 1, line_of)
        last = layout.imports[-1][1]
        if lines[last.end[0] - 1][last.end[1] - 1 :].strip():
            return None
        return insert_edit(path, last.end[0] + 1, 1, line_of) if last.end[0] < len(lines) else None
    namespace = layout.namespace
    if namespace is None or layout.braced:
        return None
    end_line, end_column = namespace.end
    if lines[end_line - 1][end_column - 1 :].strip() or end_line >= len(lines):
        return None
    return insert_edit(path, end_line + 1, 1, "\n" + line_of)


def _boot_edit(path: Path, text: str, layout: ProviderLayout, call: str) -> Edit | None:
    lines = text.split("\n")
    body = layout.boot_body
    if body is None:
        return _new_boot(path, lines, layout, call)
    brace_line = lines[body.line - 1]
    member = line_indent(brace_line)
    children = layout.boot_children
    inner = _bodyline_indent(lines, layout, member)
    if inner is None:
        return None
    if len(children) == 1 and children[0][0] == "comment" and children[0][1].strip() == "//":
        comment = children[0][2]
        if lines[comment.line - 1][: comment.column - 1].strip():
            return None
        return replace_edit(comment, call)
    if not children and body.line == body.end[0]:
        return replace_edit(body, "{\n" + inner + call + "\n" + member + "}")
    if brace_line[body.column :].strip():
        return None
    return insert_edit(path, body.line + 1, 1, inner + call + "\n")


def _bodyline_indent(lines: list[str], layout: ProviderLayout, member: str) -> str | None:
    """The indentation of boot()'s statements: as written there, else one level more."""
    for _, _, location in layout.boot_children:
        line = lines[location.line - 1]
        if not line[: location.column - 1].strip():
            return line[: location.column - 1]
    unit = _indent_unit(lines, layout)
    return member + unit if unit is not None else None


def _indent_unit(lines: list[str], layout: ProviderLayout) -> str | None:
    """One indentation level: the class members' indentation when the class starts at the
    left margin, else four spaces."""
    for location in layout.members:
        line = lines[location.line - 1]
        indent = line[: location.column - 1]
        if indent and not indent.strip():
            body = layout.class_body
            outer = line_indent(lines[body.line - 1]) if body is not None else ""
            return indent[len(outer):] if indent.startswith(outer) and len(indent) > len(outer) \
                else None
    return "    "


def _new_boot(path: Path, lines: list[str], layout: ProviderLayout, call: str) -> Edit | None:
    """A ``boot()`` method holding ``call``, inserted before the class's closing brace."""
    body = layout.class_body
    unit = _indent_unit(lines, layout)
    if body is None or unit is None or body.line == body.end[0]:
        return None
    close_line, close_column = body.end
    closing = lines[close_line - 1]
    if closing[: close_column - 2].strip():
        return None
    outer = line_indent(lines[body.line - 1])
    member = outer + unit
    method = (f"{member}public function boot(): void\n{member}{{\n{member}{unit}{call}\n"
              f"{member}}}\n")
    previous = lines[close_line - 2] if close_line >= 2 else ""
    if layout.members and previous.strip():
        method = "\n" + method
    return insert_edit(path, close_line, 1, method)


@fix_builder(safe=True)
@best_effort
def loopback_port_fix(project: Project, item: Node, host_ip: str, published: str) -> Fix | None:
    """CG502: the ``ports:`` item at ``item`` bound to 127.0.0.1 (``host_ip`` and
    ``published`` as the rule read them)."""
    location = item.loc
    doc = yaml_document(project, location.path)
    node = doc.item_at(location.line, location.column) if doc is not None else None
    if doc is None or node is None or doc.anchors_above(node):
        return None
    if node.kind == "map":
        current = node.own("host_ip")
        change = doc.add_entry(node, "host_ip", LOOPBACK) if current is None else \
            doc.replace_scalar(current, LOOPBACK)
    elif node.kind == "scalar" and node.value:
        from composeguard.lint.parse.nodes import scalar_text

        text = node.value
        if "$" in text and (host_ip or len(scalar_text(item.value).split("/")[0].split(":")) != 2):
            return None
        if not host_ip:
            # `published:target` as written (a `${VAR}` port counts as written, even when it
            # interpolates to nothing) gets the address in front; a bare target gets an
            # ephemeral port on the address (`127.0.0.1::5432`).
            written_parts = 2 if "$" in text else len(text.partition("/")[0].split(":"))
            separator = ":" if written_parts == 2 else "::"
            change = doc.replace_scalar(node, f"{LOOPBACK}{separator}{text}")
        else:
            spec, slash, protocol = text.partition("/")
            parts = spec.split(":")
            if len(parts) < 3:
                return None
            change = doc.replace_scalar(node, f"{LOOPBACK}:{':'.join(parts[-2:])}{slash}{protocol}")
    else:
        return None
    edits = doc.edits(change)
    if not edits:
        return None
    shown = f" `{node.value}`" if node.kind == "scalar" else ""
    return Fix(f"{where_in(doc, location)}: publish the port{shown} on 127.0.0.1 only: the "
               "services of the setup still reach it over the Compose network, and a person "
               "on another machine through an SSH tunnel", edits)

