"""The ``propulse`` command: each domain adds its commands here."""

from __future__ import annotations

import logging
import sys

import typer

# Typer vendors its own click: its exceptions live here, not in the `click` package.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from propulse.audit import service as audit
from propulse.auth.cli import app as tokens_app
from propulse.cli_support import set_acting_email
from propulse.config import get_settings
from propulse.contacts.cli import app as contacts_app
from propulse.content.cli import app as content_app
from propulse.delivery.cli import app as delivery_app
from propulse.delivery.cli import mail_app
from propulse.delivery.suppression_cli import app as suppressions_app
from propulse.email_templates.cli import app as templates_app
from propulse.forms.cli import app as forms_app
from propulse.kit.cli import stderr
from propulse.kit.errors import DomainError
from propulse.nurture.cli import app as nurture_app
from propulse.okrs.cli import app as okrs_app
from propulse.ops import cli as ops
from propulse.playbooks.cli import app as playbooks_app
from propulse.playbooks.project_cli import app as projects_app
from propulse.scoring.cli import app as scoring_app
from propulse.segments.cli import app as segments_app
from propulse.triage.cli import app as requests_app
from propulse.workspace.cli import app as users_app

app = typer.Typer(
    name="propulse",
    help="Propulse: the marketing operating system of a B2B scale-up.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    acting_as: str | None = typer.Option(
        None,
        "--as",
        envvar="PROPULSE_USER",
        help="Act as this user (e-mail); default: the first admin. Recorded in the audit log.",
    ),
) -> None:
    """Propulse: objectives, requests, playbooks, contacts and campaigns in one system."""
    set_acting_email(acting_as)
    audit.set_channel("cli")


app.command("init")(ops.init)
app.command("serve")(ops.serve)
app.command("worker")(ops.worker)
app.command("demo")(ops.demo)
app.command("backup")(ops.backup)
app.command("restore")(ops.restore)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(ops.jobs_app, name="jobs")
app.add_typer(okrs_app, name="okrs")
app.add_typer(requests_app, name="requests")
app.add_typer(playbooks_app, name="playbooks")
app.add_typer(projects_app, name="projects")
app.add_typer(content_app, name="content")
app.add_typer(contacts_app, name="contacts")
app.add_typer(segments_app, name="segments")
app.add_typer(forms_app, name="forms")
app.add_typer(nurture_app, name="nurture")
app.add_typer(scoring_app, name="scoring")
app.add_typer(delivery_app, name="delivery")
app.add_typer(mail_app, name="mail")
app.add_typer(templates_app, name="templates")
app.add_typer(suppressions_app, name="suppressions")


def main() -> None:
    """Run the CLI: a refused or invalid command prints one line on stderr and exits 2."""
    try:
        result = app(standalone_mode=False)
    except NoArgsIsHelpError as error:
        if error.ctx is not None:
            sys.stdout.write(error.ctx.get_help() + "\n")
        sys.exit(0)
    except UsageError as error:
        command = error.ctx.command_path if error.ctx else "propulse"
        stderr.print(
            f"[red]Error:[/red] {error.format_message()} (see `{command} --help`)", highlight=False
        )
        sys.exit(2)
    except ClickException as error:
        stderr.print(f"[red]Error:[/red] {error.format_message()}", highlight=False)
        sys.exit(2)
    except typer.Abort:
        stderr.print("Aborted.")
        sys.exit(1)
    except DomainError as error:
        stderr.print(f"[red]Error:[/red] {error.message}", highlight=False)
        sys.exit(2)
    except Exception as error:
        # A bug, not a user error: one line for the person, the traceback for the log.
        logging.getLogger("propulse.cli").debug("unexpected error", exc_info=True)
        stderr.print(
            f"[red]Unexpected error:[/red] {type(error).__name__}: {error} "
            "(set PROPULSE_DEBUG=1 to see the details)",
            highlight=False,
        )
        if get_settings().debug:
            raise
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
