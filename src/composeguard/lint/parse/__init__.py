"""Parsers: text to located structures (YAML nodes, shell commands, env files, syntax trees).

The lowest layer. Its modules know no Compose, no framework and no rule; every layer above
reads files through them, one parser per language.
"""
