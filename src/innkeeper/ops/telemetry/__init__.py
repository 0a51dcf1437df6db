"""Prometheus metrics, request ids and error reporting (README "Monitoring")."""
