from __future__ import annotations

import sys

from composeguard.cli import main

sys.exit(main())
