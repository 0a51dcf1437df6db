from innkeeper.testing.smtp import smtp_server, smtp_settings

__all__ = ["smtp_server", "smtp_settings"]
