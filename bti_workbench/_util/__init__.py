"""Small private helpers every layer may use: atomic writes, text, resources, figures and
the version."""
