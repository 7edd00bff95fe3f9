"""Payment links: our short `/pagar/{token}` URL in front of a provider checkout.

Messages carry `{public_base_url}/pagar/{token}`. The provider checkout (a
Mercado Pago preference or a Stripe Checkout Session) is created only when
the customer opens our link. So the planner and the dispatcher never wait
on a provider, and a reminder opened days later still works although
Stripe sessions expire within 24 hours. The amount is also checked against
what is owed at the moment of paying. A link whose amount no longer
matches the balance (a partial payment, a new invoice, a credit note) is
superseded by a new link of the same case, so a link's amount never
changes after it is created and a payment can always be checked against it.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cobranza.compliance.rules import rules_for_business
from cobranza.config import Settings
from cobranza.db.models import (
    Business,
    Case,
    Customer,
    Document,
    InstallmentPlan,
    OutboxMessage,
    PaymentLink,
    PaymentLinkPurpose,
    PaymentLinkStatus,
    PlanStatus,
)
from cobranza.dunning.holds import held_on
from cobranza.dunning.other_currencies import OTHER_BALANCES_VARIABLE
from cobranza.messages import LinkCovers
from cobranza.payments.base import CheckoutItem, CheckoutRequest, PaymentProvider
from cobranza.payments.errors import (
    LinkNotFoundError,
    PaymentError,
    ProviderNotConfiguredError,
)
from cobranza.payments.plan_payments import PLAN_PARTS_VARIABLE
from cobranza.payments.targets import (
    LinkTarget,
    balance_target,
    due_target,
    open_documents,
    owed_currencies,
)
from cobranza.timeutil import local_date

logger = logging.getLogger(__name__)

# The sandbox's pay page marks invoices paid without any money moving, so
# it works only in these environments.
SANDBOX_ENVIRONMENTS = frozenset({"development", "test"})
# Bytes of randomness in a token; `token_urlsafe(16)` gives 22 characters.
TOKEN_BYTES = 16
# A provider checkout closer than this to its end is replaced on click, so
# the customer has time to pay.
CHECKOUT_MIN_REMAINING = timedelta(minutes=15)
# Card statements show at most 22 characters of the descriptor (the common
# card network limit; Mercado Pago documents no limit of its own).
STATEMENT_DESCRIPTOR_MAX = 22


class NothingOwedError(PaymentError):
    """The customer owes nothing collectable, so no link is made."""

    code = "nothing_owed"


class LinkState(StrEnum):
    REDIRECT = "redirect"
    PAID = "paid"
    NOTHING_OWED = "nothing_owed"
    # Invoices are still owed, but all of them are disputed or on hold.
    UNDER_REVIEW = "under_review"


@dataclass(frozen=True)
class LinkOutcome:
    """The result of opening a link: a provider page, or a page of ours."""

    state: LinkState
    url: str | None = None
    link: PaymentLink | None = None


@dataclass(frozen=True)
class LinkContext:
    """Settings that opening a link needs."""

    public_base_url: str
    default_provider: str
    providers: dict[str, PaymentProvider]
    checkout_days: int = 7


def link_url(public_base_url: str, token: str) -> str:
    """Return the URL that messages carry for `token`."""
    return f"{public_base_url.rstrip('/')}/pagar/{token}"


def payment_link_for_case(
    session: Session,
    business: Business,
    case: Case,
    now: datetime,
    *,
    public_base_url: str | None = None,
    provider: str | None = None,
    due_by: date | None = None,
    named_ids: Collection[int] | None = None,
) -> str:
    """Return the payment link URL for `case`, creating the link when needed.

    The link collects the next installment when the case has an active
    plan, and the balance otherwise: with `due_by`, only the invoices due by
    that day, and of those only `named_ids` when given. Raises
    `NothingOwedError` when the customer owes nothing collectable. No
    provider is called here.
    """
    from cobranza.config import get_settings

    settings = get_settings()
    base = public_base_url or settings.public_base_url
    target = current_target(session, business, case, now, due_by, named_ids)
    if target is None:
        raise NothingOwedError(
            f"el caso {case.id} no tiene saldo para cobrar, así que no tiene link "
            "de pago: revisá las facturas del cliente"
        )
    chosen = provider or provider_for(business, settings.payment_provider)
    link = ensure_link(session, business, case, target, chosen, now)
    return link_url(base, link.token)


def current_target(
    session: Session,
    business: Business,
    case: Case,
    now: datetime,
    due_by: date | None = None,
    named_ids: Collection[int] | None = None,
    currency: str | None = None,
) -> LinkTarget | None:
    """Return what a link for `case` should collect now, or None.

    `due_by` limits a balance to the invoices due by that day, and
    `named_ids` to those of them a reminder names (`due_target`). A balance
    is in `currency`, by default the one reminders lead with. An active
    plan's next installment comes first: with `currency`, that of the plan
    in `currency`, and without it, the one due first among the case's plans.
    """
    from cobranza.payments.plans import installment_target

    installment = installment_target(session, case, currency)
    if installment is not None:
        return installment
    customer = session.get_one(Customer, case.customer_id)
    today = local_date(now, customer.timezone or business.timezone)
    documents = open_documents(session, business.id, case.customer_id, today)
    language = (customer.locale or business.locale)[:2]
    if due_by is not None:
        return due_target(
            documents, due_by, language, customer.name, named_ids, currency
        )
    return balance_target(documents, language, customer.name, currency)


def ensure_link(
    session: Session,
    business: Business,
    case: Case,
    target: LinkTarget,
    provider: str,
    now: datetime,
) -> PaymentLink:
    """Return the case's active link for `target`, superseding stale ones.

    An active link of the same purpose and currency with another amount,
    invoice set or cutoff is marked superseded, and a new link is inserted.
    The cutoff counts because it decides what the link charges once
    invoices change. A link in another currency stays active, because a
    customer who owes in several currencies has one link for each.
    """
    active = list(
        session.scalars(
            select(PaymentLink).where(
                PaymentLink.business_id == business.id,
                PaymentLink.case_id == case.id,
                PaymentLink.status == PaymentLinkStatus.ACTIVE,
                PaymentLink.purpose == target.purpose,
                PaymentLink.currency == target.currency,
            )
        )
    )
    for link in active:
        if _matches(link, target) and link.due_by == target.due_by:
            return link
    stale = [link.id for link in active]
    if stale:
        session.execute(
            update(PaymentLink)
            .where(
                PaymentLink.id.in_(stale),
                PaymentLink.status == PaymentLinkStatus.ACTIVE,
            )
            .values(status=PaymentLinkStatus.SUPERSEDED, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    link = PaymentLink(
        business_id=business.id,
        case_id=case.id,
        customer_id=case.customer_id,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        provider=provider,
        amount=target.amount,
        currency=target.currency,
        document_ids=list(target.document_ids),
        purpose=target.purpose,
        installment_id=target.installment_id,
        expires_at=target.expires_at,
        due_by=target.due_by,
        status=PaymentLinkStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    session.add(link)
    session.flush()
    logger.info(
        "payment link %s created for case %s (%s, provider %s)",
        link.id,
        case.id,
        target.purpose,
        provider,
    )
    return link


def open_link(
    session: Session, token: str, now: datetime, context: LinkContext
) -> LinkOutcome:
    """Resolve our link `token` to the page the customer should see now.

    A link whose amount is stale, or whose offer has ended, is replaced by
    the case's current link. A provider checkout is created when the link
    has none or its checkout is about to end. The link row is locked while
    the checkout is created, so two clicks at once create one checkout.
    """
    link = _locked_link(session, token)
    if link.status == PaymentLinkStatus.PAID:
        return LinkOutcome(LinkState.PAID, link=link)
    business = session.get_one(Business, link.business_id)
    case = session.get(Case, link.case_id) if link.case_id is not None else None
    if case is None or case.closed_at is not None:
        return _closed_case_outcome(link)

    current = _current_link(session, business, case, link, now, context)
    if current is None:
        customer = session.get_one(Customer, case.customer_id)
        today = local_date(now, customer.timezone or business.timezone)
        if _owes_uncollectable(session, case, today):
            return LinkOutcome(LinkState.UNDER_REVIEW)
        return LinkOutcome(LinkState.NOTHING_OWED)
    link = current
    if _checkout_usable(link, now):
        assert link.provider_url is not None
        return LinkOutcome(LinkState.REDIRECT, link.provider_url, link)

    provider = context.providers.get(link.provider)
    if provider is None:
        raise ProviderNotConfiguredError(
            f"payment link {link.id} uses provider {link.provider!r}, which is "
            "not configured: set its credentials or COBRANZA_PAYMENT_PROVIDER"
        )
    request = checkout_request(session, business, link, now, context, provider)
    checkout = provider.create_checkout(request)
    link.provider_reference = checkout.reference
    link.provider_url = checkout.url
    link.provider_expires_at = checkout.expires_at
    link.updated_at = now
    session.flush()
    logger.info("payment link %s: %s checkout created", link.id, link.provider)
    return LinkOutcome(LinkState.REDIRECT, checkout.url, link)


def checkout_request(
    session: Session,
    business: Business,
    link: PaymentLink,
    now: datetime,
    context: LinkContext,
    provider: PaymentProvider,
) -> CheckoutRequest:
    """Build the provider request for `link`: items, expiry and our URLs."""
    customer = session.get_one(Customer, link.customer_id)
    language = (customer.locale or business.locale)[:2]
    items = _checkout_items(session, business, link, customer, language, now)

    expires_at = now + timedelta(days=context.checkout_days)
    if provider.max_checkout_lifetime is not None:
        expires_at = min(expires_at, now + provider.max_checkout_lifetime)
    if link.expires_at is not None:
        expires_at = min(expires_at, link.expires_at)
    base = context.public_base_url.rstrip("/")
    return CheckoutRequest(
        link_id=link.id,
        token=link.token,
        items=tuple(items),
        amount=link.amount,
        currency=link.currency,
        business_name=business.name,
        statement_descriptor=statement_descriptor(business),
        starts_at=now,
        expires_at=expires_at,
        return_url=f"{base}/pagar/{link.token}/listo",
        notification_url=f"{base}/webhooks/{provider.name}",
        payer_email=customer.email,
    )


def _checkout_items(
    session: Session,
    business: Business,
    link: PaymentLink,
    customer: Customer,
    language: str,
    now: datetime,
) -> tuple[CheckoutItem, ...]:
    """Return one item per invoice of a balance link, else one item for the amount."""
    from cobranza.payments.offers import discount_items
    from cobranza.payments.plans import installment_items

    if link.purpose == PaymentLinkPurpose.INSTALLMENT:
        return installment_items(session, link, language)
    if link.purpose == PaymentLinkPurpose.DISCOUNT:
        return discount_items(link, language, customer.name)
    today = local_date(now, customer.timezone or business.timezone)
    link_documents = set(link.document_ids)
    documents = [
        document
        for document in open_documents(session, business.id, link.customer_id, today)
        if document.id in link_documents
    ]
    target = balance_target(documents, language, customer.name)
    if target is not None and _matches(link, target):
        return target.items
    return (CheckoutItem(business.name, link.amount),)


def link_for_outbox_row(
    session: Session,
    row: OutboxMessage,
    now: datetime,
    *,
    public_base_url: str | None = None,
) -> str | None:
    """Return the payment link an outbox row's message should carry, or None.

    A row with `discount_percent` gets a discount link that ends on its
    `discount_deadline` (default: its oldest due date). A thank-you, or a
    customer who owes nothing collectable, gets no link. A reply that names
    other currencies (`other_balances`) also gets one link per currency in
    `link_charges`, stored on the row, so its text lists each link. Other
    rows carry the leading currency's link alone, because their templates
    must stay within WhatsApp's 1,024 characters, and the text after the
    link states that it charges that currency only.
    """
    from cobranza.config import get_settings
    from cobranza.dunning.gate import REPLY_TO_VARIABLE, due_cutoff
    from cobranza.payments.cases import THANKS_STEP_KIND
    from cobranza.payments.offers import discount_link_for_case

    if row.step_kind == THANKS_STEP_KIND:
        return None
    business = session.get_one(Business, row.business_id)
    settings = get_settings()
    if not links_offered(business, settings, row.channel, public_base_url):
        # The message falls back to the business's payment instructions.
        logger.debug("no payment link in outbox row %s", row.id)
        return None
    case = session.get_one(Case, row.case_id)
    variables = row.variables or {}
    customer = session.get_one(Customer, row.customer_id)
    # A reminder states only the invoices due by its cutoff, so its link
    # charges those and leaves the invoices not yet due for later.
    today = local_date(now, customer.timezone or business.timezone)
    rules = rules_for_business(business.country, business.settings)
    due_by = due_cutoff(row, today, rules)
    try:
        if variables.get("discount_percent"):
            deadline = variables.get("discount_deadline") or variables["oldest_due_on"]
            return discount_link_for_case(
                session,
                business,
                case,
                Decimal(str(variables["discount_percent"])),
                date.fromisoformat(str(deadline)),
                now,
                public_base_url=public_base_url,
            )
        url = payment_link_for_case(
            session,
            business,
            case,
            now,
            public_base_url=public_base_url,
            due_by=due_by,
            named_ids=row.document_ids,
        )
    except NothingOwedError:
        return None
    if variables.get(PLAN_PARTS_VARIABLE):
        order = [str(part[0]) for part in variables[PLAN_PARTS_VARIABLE]]
        plan_charges = _plan_links(session, business, case, now, public_base_url, order)
        row.variables = {**variables, "link_charges": plan_charges or None}
        return url
    if variables.get(REPLY_TO_VARIABLE) is not None and variables.get(
        OTHER_BALANCES_VARIABLE
    ):
        charges = _balance_links(
            session, business, case, now, public_base_url, variables.get("currency")
        )
        if len(charges) > 1:
            row.variables = {**variables, "link_charges": charges}
    return url


def _plan_links(
    session: Session,
    business: Business,
    case: Case,
    now: datetime,
    public_base_url: str | None,
    order: list[str],
) -> list[list[str]]:
    """Return [currency, amount, covers, URL] of each active plan's next installment.

    The links are in the message's `order` of currencies, so each sits
    where its plan's schedule does. Returns an empty list when fewer than
    two plans are still active.
    """
    from cobranza.config import get_settings
    from cobranza.payments.plans import installment_target

    settings = get_settings()
    base = public_base_url or settings.public_base_url
    provider = provider_for(business, settings.payment_provider)
    currencies = session.scalars(
        select(InstallmentPlan.currency)
        .where(
            InstallmentPlan.case_id == case.id,
            InstallmentPlan.status == PlanStatus.ACTIVE,
        )
        .order_by(InstallmentPlan.currency)
    ).all()
    targets = [installment_target(session, case, code) for code in currencies]
    found = [target for target in targets if target is not None]
    if len(found) < 2:
        return []
    found.sort(
        key=lambda target: (
            order.index(target.currency) if target.currency in order else len(order)
        )
    )
    charges = []
    for target in found:
        link = ensure_link(session, business, case, target, provider, now)
        charges.append(
            [
                target.currency,
                str(target.amount),
                LinkCovers.INSTALLMENT.value,
                link_url(base, link.token),
            ]
        )
    return charges


def _balance_links(
    session: Session,
    business: Business,
    case: Case,
    now: datetime,
    public_base_url: str | None,
    leading: str | None,
) -> list[list[str]]:
    """Return [currency, amount, covers, URL] of a balance link per currency owed.

    The `leading` currency comes first, as the message names it first.
    """
    from cobranza.config import get_settings

    settings = get_settings()
    base = public_base_url or settings.public_base_url
    provider = provider_for(business, settings.payment_provider)
    customer = session.get_one(Customer, case.customer_id)
    today = local_date(now, customer.timezone or business.timezone)
    documents = open_documents(session, business.id, case.customer_id, today)
    charges = []
    owed = sorted(owed_currencies(documents), key=lambda code: code != leading)
    for currency in owed:
        target = current_target(session, business, case, now, currency=currency)
        if target is None or target.installment_id is not None:
            continue
        link = ensure_link(session, business, case, target, provider, now)
        charges.append(
            [
                currency,
                str(target.amount),
                LinkCovers.BALANCE.value,
                link_url(base, link.token),
            ]
        )
    return charges


def links_offered(
    business: Business,
    settings: Settings,
    channel: str,
    public_base_url: str | None = None,
) -> bool:
    """Return whether messages on `channel` carry a payment link.

    Otherwise they carry the business's payment instructions: when the
    provider cannot make links here (the sandbox outside development, a
    provider without credentials), or when a real channel would get a link
    that a customer's phone cannot open.
    """
    provider = provider_for(business, settings.payment_provider)
    if not provider_usable(provider, settings):
        return False
    if channel != "sandbox" and not reachable_by_customers(
        provider, public_base_url or settings.public_base_url
    ):
        logger.warning(
            "no payment link for business %s on %s: set COBRANZA_PUBLIC_BASE_URL "
            "to the public address and COBRANZA_PAYMENT_PROVIDER to a real provider",
            business.id,
            channel,
        )
        return False
    return True


def reachable_by_customers(provider: str, public_base_url: str) -> bool:
    """Return whether a customer's phone could open links made this way."""
    if provider == "sandbox":
        return False
    host = (urlsplit(public_base_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return bool(host)


def provider_usable(provider: str, settings: Settings) -> bool:
    """Return whether links of `provider` can open in this environment."""
    if provider == "sandbox":
        return settings.environment in SANDBOX_ENVIRONMENTS
    if provider == "mercadopago":
        return settings.mercadopago_access_token is not None
    if provider == "stripe":
        return settings.stripe_secret_key is not None
    return False


def statement_descriptor(business: Business) -> str:
    """Return the text on the customer's card statement, from the business."""
    configured = (business.settings or {}).get("statement_descriptor")
    text = str(configured or business.name).strip()
    return text[:STATEMENT_DESCRIPTOR_MAX]


def _current_link(
    session: Session,
    business: Business,
    case: Case,
    link: PaymentLink,
    now: datetime,
    context: LinkContext,
) -> PaymentLink | None:
    """Return `link` when it still collects the right amount, else its successor."""
    # A reminder's link keeps to the invoices it was made for, so an invoice
    # imported since then is not added to it.
    named_ids = link.document_ids if link.due_by is not None else None
    if link.status == PaymentLinkStatus.ACTIVE:
        offer_ended = link.expires_at is not None and link.expires_at <= now
        if offer_ended:
            link.status = PaymentLinkStatus.EXPIRED
            link.updated_at = now
        elif link.purpose == PaymentLinkPurpose.DISCOUNT:
            from cobranza.payments.offers import discount_still_valid

            if discount_still_valid(session, business, case, link, now):
                return link
        else:
            target = current_target(
                session, business, case, now, link.due_by, named_ids, link.currency
            )
            if target is not None and _matches(link, target):
                return link

    # A link keeps to its currency, because the customer's other currencies
    # have links of their own. Once nothing is owed in it, the link collects
    # what is still owed, as a link did before it had a currency of its own.
    target = current_target(
        session, business, case, now, link.due_by, named_ids, link.currency
    )
    if target is None:
        target = current_target(session, business, case, now, link.due_by, named_ids)
    if target is None:
        return None
    return ensure_link(session, business, case, target, link.provider, now)


def _owes_uncollectable(session: Session, case: Case, today: date) -> bool:
    """Tell whether the customer still owes invoices that are disputed or on hold."""
    owed = session.scalar(
        select(Document.id)
        .where(
            Document.business_id == case.business_id,
            Document.customer_id == case.customer_id,
            Document.open_amount > 0,
            Document.missing_since.is_(None),
            (Document.disputed.is_(True)) | held_on(today),
        )
        .limit(1)
    )
    return owed is not None


def _checkout_usable(link: PaymentLink, now: datetime) -> bool:
    if link.provider_url is None or link.provider_expires_at is None:
        return False
    return link.provider_expires_at - now > CHECKOUT_MIN_REMAINING


def _closed_case_outcome(link: PaymentLink) -> LinkOutcome:
    if link.status == PaymentLinkStatus.PAID:
        return LinkOutcome(LinkState.PAID, link=link)
    return LinkOutcome(LinkState.NOTHING_OWED, link=link)


def _locked_link(session: Session, token: str) -> PaymentLink:
    statement = select(PaymentLink).where(PaymentLink.token == token)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    link = session.scalars(statement).first()
    if link is None:
        raise LinkNotFoundError(
            "payment link not found: the token is wrong or was never issued"
        )
    return link


def _matches(link: PaymentLink, target: LinkTarget) -> bool:
    return (
        link.amount == target.amount
        and link.currency == target.currency
        and sorted(link.document_ids) == list(target.document_ids)
        and link.installment_id == target.installment_id
    )


def provider_for(business: Business, default: str) -> str:
    configured = (business.settings or {}).get("payment_provider")
    return str(configured or default)
