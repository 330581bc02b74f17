"""The engine's own parts: findings and fixes as values, config, suppressions, baseline,
reports, the result cache. They know no rule: whatever needs the catalog is handed it."""
