"""Create a county and its first county-staff account, and print the account's password once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from rounds.services import county_create


class Command(BaseCommand):
    help = "Create a county (code, name, region, hotline) and its first county staff account."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="the six-digit county code (区县代码)")
        parser.add_argument("--name", required=True)
        parser.add_argument("--province", required=True)
        parser.add_argument("--city", required=True)
        parser.add_argument("--hotline", default="", help="the public reporting hotline (举报电话)")
        parser.add_argument("--username", required=True, help="the first county staff member's username")
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, **options):
        try:
            county, person, password = county_create(
                code=options["code"],
                name=options["name"],
                province=options["province"],
                city=options["city"],
                hotline=options["hotline"],
                username=options["username"],
                full_name=options["full_name"],
                email=options["email"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        except IntegrityError as exc:
            raise CommandError(f"username {options['username']!r} is taken") from exc
        self.stdout.write(f"{county.code} {county.name}: {person.user.username} / {password} (to be changed at the first log-in)")
