"""Facts shared by two or more rule families, as functions of plain data.

The environment judgement (``purpose``), the command table and its named operation sets
(``commands``), start commands, data stores and persistence, the framework readers
(``laravel``, ``django``, ``rails``, ``appschema``), repository facts (``ignore``). Built on the
parsers and the Compose model; never on the Project, which caches and delegates to them.
"""
