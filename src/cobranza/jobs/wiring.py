"""Install the hooks that let lower layers reach the ones above them.

`channels` hands each stored reply to the conversation engine, and `ingest`
hands each stored import to `payments`, which applies customers' credits to
the new invoices so that no customer is reminded of a balance an earlier
overpayment already covers. The web app and the CLI call `install_hooks`
when they start.
"""

from __future__ import annotations

from cobranza.config import Settings
from cobranza.ingest.service import set_import_hook
from cobranza.jobs.replies import install_reply_handler
from cobranza.payments.credits import apply_credits


def install_hooks(settings: Settings | None = None) -> None:
    """Install the reply handler and the after-import credit hook."""
    install_reply_handler(settings)
    set_import_hook(apply_credits)
