from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from innkeeper.rooms.demo import demo_exists, demo_load


class Command(BaseCommand):
    help = "Load a demo property with rooms and staff logins, and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (but print logins) if loaded"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        existed = demo_exists()
        logins = demo_load()
        if existed and options["if_empty"]:
            self.stdout.write("Demo data already loaded.")
        else:
            self.stdout.write(self.style.SUCCESS("Demo property, rooms and staff loaded."))
        for login in logins:
            self.stdout.write(
                f"  {login.role:<11} login: {login.email}  password: {login.password}"
            )
