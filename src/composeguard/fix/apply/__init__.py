"""Applying fixes: the planner, which runs the rules again over the edited files in a sandbox,
sits above the runner. Everything else under ``fix/`` sits below the rules that use it."""
