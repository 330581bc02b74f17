"""The engine: discovery, the Project and its parsed views, running rules, reporting."""
