"""The Compose model: discovery, compose files, services with one argv each, merged setups.

Built on :mod:`composeguard.lint.parse` only. What the files say, not what it means.
"""
