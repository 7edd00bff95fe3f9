"""Act on a reply from a customer with no open case.

The customer may write before the first reminder opened a case, or after
the case closed because nothing was owed or a person closed it. What
happens then depends on the intent:

- A stop request acts as always (see `actions.opt_out`). It opens a case
  when the customer never had one, to carry its confirmation, and when it
  also threatens a complaint or gives another contact, for a person.
- A dispute, a request for a person, "I cannot pay" and a wrong number
  always open a case, so the reply reaches a person in the inbox.
- While every invoice the customer owes is on hold (the owner passed the
  debt to a lawyer, for one), any other reply opens a case and goes to a
  person with the hand-off acknowledgement (see `actions.held`), as it
  does while a case is open. A person handles that debt, and the robot
  must neither quote a balance of $ 0 nor state that nothing is pending.
- Likewise while every invoice owed is disputed (or disputed and on hold),
  for instance after a person closed the case without settling the
  dispute (see `actions.disputed`). A promise is still recorded for the
  person to review, as `actions.promise` does with an open case.
- Every other intent opens a case only while the customer owes a
  collectable balance, as if the first reminder had gone out: a promise
  is recorded, a link is sent, a payment report is flagged for checking.
- With nothing owed, the customer gets a reply that no reminders are
  pending (see `actions.after_close`), at most once a day.

Every answer still passes the gate, so a customer without consent gets
none, while the case waits for a person all the same.
"""

from __future__ import annotations

from cobranza.conversations import actions
from cobranza.conversations.actions import Reply
from cobranza.conversations.cases import open_case_for_reply
from cobranza.dunning.promises import open_balance

# Intents that open no case while nothing is held or disputed: a stop acts
# on consent, and an "ok" needs no reply beyond the one `after_close` queues.
NEVER_OPENS = frozenset({"opt_out", "acknowledge"})


def act_without_case(reply: Reply, action: actions.Action | None = None) -> str:
    """Run the action for the reply's intent, opening a case where it needs one.

    `action`, when given, replaces the intent's own action once a case is
    open: the dialogue passes `actions.identify` for an identity question,
    which is answered even while everything owed is on hold or disputed, and
    `actions.state_balance` for a question about the balance.
    """
    intent = reply.meaning.intent
    if intent == "opt_out":
        return actions.opt_out(reply)
    for_person = _person_action(reply)
    if for_person is None and (intent in NEVER_OPENS or not _opens_case(reply)):
        return actions.after_close(reply)

    reply.case = open_case_for_reply(
        reply.session, reply.business.id, reply.customer.id, reply.now
    )
    if for_person is not None and action is not actions.identify:
        # The balance leaves held and disputed invoices out, so even a
        # question about it goes to a person rather than reading $ 0.
        action = for_person
    elif action is None:
        action = actions.ACTIONS.get(intent, actions.other)
    return action(reply)


def _person_action(reply: Reply) -> actions.Action | None:
    """Return the hand-off for a debt that only a person handles, if it is one."""
    intent = reply.meaning.intent
    if intent not in actions.OWN_ACTION_WHEN_HELD and actions.all_held(reply):
        return actions.held
    if intent not in actions.OWN_ACTION_WHEN_DISPUTED and actions.all_disputed(reply):
        return actions.disputed
    return None


def _opens_case(reply: Reply) -> bool:
    # A dispute about a paid invoice ("me cobraron dos veces") needs a
    # person as much as one about an invoice still owed.
    if reply.meaning.intent in actions.PERSON_INTENTS:
        return True
    owed = open_balance(reply.session, reply.business, reply.customer.id, reply.today)
    # A promise on a debt still disputed is recorded for a person to review.
    return owed.balance > 0 or actions.all_disputed(reply)
