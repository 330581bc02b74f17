"""One list of shells, one reader of shebangs: every caller agrees on what runs shell code."""

from __future__ import annotations

import pytest

from composeguard.lint.model.discover import is_shell_shebang


@pytest.mark.parametrize(("line", "shell"), [
    (b"#!/bin/sh", True), (b"#!/usr/bin/env bash", True), (b"#!/usr/bin/env -S bash -e", True),
    (b"#!/bin/busybox sh", True), (b"#!/bin/mksh", True), (b"#!/usr/bin/env python3", False),
    (b"#!/usr/bin/php", False), (b"# not a shebang", False), (b"#!", False),
])
def test_a_shebang_names_a_shell(line: bytes, shell: bool) -> None:
    assert is_shell_shebang(line + b"\necho hi\n") is shell
