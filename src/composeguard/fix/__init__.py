"""``composeguard fix``: turning the fixes rules attach to findings into written files.

How a fix travels
-----------------
1. A rule yields ``Finding(..., fix=offer(builder, *arguments))``
   (:mod:`composeguard.lint.engine.finding`): the fix is offered, not built. ``builder`` is decorated
   ``@fix_builder(safe=..., offered=...)`` so that ``check`` can say whether the fix is safe,
   and rule out cheaply a fix that would never be made, without building it. A builder
   returns ``Fix(description, edits=..., new_files=..., safe=...)`` or None. It never opens or
   writes a file: it builds edits from the text and positions the Project gives it.
2. :func:`~composeguard.fix.apply.plan.plan_fixes` lints, builds each offered fix (an offer that
   builds None is reported as not fixed), takes the fixes it may apply and turns them
   into whole-file :class:`~composeguard.fix.apply.plan.FileChange`\\ s (``path``, ``before`` or None
   for a new file, ``after``), in passes until nothing more applies (see below).
3. The CLI prints the plan (one line per fix, or :func:`~composeguard.fix.apply.plan.unified_diff`
   with ``--diff``) and :func:`~composeguard.fix.write.write_changes` writes it atomically.

Writing a fix (rules of the engine)
-----------------------------------
- ``Edit(path, start, end, replacement)``: 1-based (line, column) of the text the rule saw
  (the file without a byte-order mark); columns count characters, lines split at ``\\n``; a
  column just past a line's end inserts before its line break; ``start == end`` inserts.
  Write replacements with ``\\n``: the engine converts them to the file's own CRLF/LF style.
- A fix is atomic. Its own edits must not overlap each other, except insertions at one point,
  which apply in the order given (a new service key and a new top-level section that both go
  after the last line, say). Identical fixes from several findings apply once.
- Two fixes that overlap, or that both insert at one point, never apply in the same pass: the
  later one (in finding order) waits, and the next pass rebuilds it from the planned text.
  Later passes lint a mirror of the project in a temporary directory
  (:mod:`~composeguard.fix.apply.sandbox`, with the same git index); so a rule must offer a fix only
  while its finding stands (check that a generated file is missing, that a line is not there
  yet), or the engine reports "do not converge" and applies it once.
- ``new_files=((path, text), ...)`` create files that do not exist (with ``--force`` they may
  replace one; the plan's ``before`` then holds its old text). Parent directories are created.
- ``safe=False`` marks a fix that changes behaviour beyond its finding or needs a manual step
  (a new volume starts empty). It applies only with ``--unsafe-fixes``; say why in
  ``description`` and in the rule's ``fix_safety``. Nothing is ever deleted, and nothing
  outside the checked paths (a checked file allows only itself) is edited or created: such a
  fix is reported as not applied.
- YAML: build edits with :class:`~composeguard.fix.yaml_edits.YamlText` (``parse``,
  ``lookup``, ``item_at``/``node_at`` for a finding's location, ``append_item``,
  ``set_entry``, ``add_entry``, ``replace_scalar``), then ``doc.edits(change, ...)``, which
  re-parses the result and returns None unless the data changed exactly as intended. It keeps
  every other line byte-identical and follows the file's indentation and quoting.
- Example: :mod:`composeguard.rules.persistence.fixes` (CG101/CG102). A rule's
  ``Example(..., fixed={...})`` is checked by ``tests/rules/test_examples.py``: the engine must produce exactly that
  text, fixing again must change nothing, and changed compose files must pass Compose.

API
---
- ``plan_fixes(paths, *, selection=None, unsafe=False, force=False, make_project=None,
  max_passes=10) -> FixPlan``; ``FixPlan.changes``, ``.applied``/``.not_applied``
  (:class:`~composeguard.fix.apply.plan.PlannedFix` with ``reason``), ``.unsafe_left``, ``.errors``,
  ``.incomplete``, ``.groups()`` (the files each fix must write together).
- ``with project_lock(roots): write_changes(changes, roots, *, force=False, groups=())
  -> tuple[WriteResult, ...]``; ``within(path, roots)``/``refusal(path, roots)``.
- ``apply_edits(text, edits) -> str`` (:mod:`~composeguard.fix.edits`) for tests and tools.
"""
