from innkeeper.testing.jobs import smtp_server, smtp_settings

__all__ = ["smtp_server", "smtp_settings"]
