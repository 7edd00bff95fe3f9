"""Act on a reply from a customer with no open case.

The customer may write before the first reminder opened a case, or after
the case closed because nothing was owed or a person closed it. What
happens then depends on the intent:

- A stop request acts as always. It opens a case only when it also
  threatens a complaint (see `actions.opt_out`).
- A dispute, a request for a person, "I cannot pay" and a wrong number
  always open a case, so the reply reaches a person in the inbox.
- Every other intent opens a case only while the customer owes a
  collectable balance, as if the first reminder had gone out: a promise
  is recorded, a link is sent, a payment report is flagged for checking.
- With nothing collectable owed, the customer gets a reply that no
  reminders are pending (see `actions.after_close`), at most once a day.

Every answer still passes the gate, so a customer without consent gets
none, while the case waits for a person all the same.
"""

from __future__ import annotations

from cobranza.conversations import actions
from cobranza.conversations.actions import Reply
from cobranza.conversations.cases import open_case_for_reply
from cobranza.dunning.promises import open_balance

# Intents that never open a case: a stop acts on consent alone, and an "ok"
# needs no reply beyond the one `after_close` queues.
NEVER_OPENS = frozenset({"opt_out", "acknowledge"})


def act_without_case(reply: Reply, action: actions.Action | None = None) -> str:
    """Run the action for the reply's intent, opening a case where it needs one.

    `action`, when given, replaces the intent's own action once a case is
    open: the dialogue passes `actions.identify` for an identity question
    and `actions.state_balance` for a question about the balance.
    """
    intent = reply.meaning.intent
    if intent == "opt_out":
        return actions.opt_out(reply)
    if intent in NEVER_OPENS or not _opens_case(reply):
        return actions.after_close(reply)

    reply.case = open_case_for_reply(
        reply.session, reply.business.id, reply.customer.id, reply.now
    )
    if action is None:
        action = actions.ACTIONS.get(intent, actions.other)
    return action(reply)


def _opens_case(reply: Reply) -> bool:
    # NOTE: invoices on hold are not collectable, so a customer whose debt is
    # all on hold (passed to a lawyer) gets `after_close` here, not a person.
    # A dispute about a paid invoice ("me cobraron dos veces") needs a
    # person as much as one about an invoice still owed.
    if reply.meaning.intent in actions.PERSON_INTENTS:
        return True
    owed = open_balance(reply.session, reply.business, reply.customer.id, reply.today)
    return owed.balance > 0
