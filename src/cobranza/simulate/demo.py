"""`cobranza demo`: a fresh database with a generated portfolio, then its audit.

The demo runs a list of stages over one `DemoContext`. Each stage reads what
the stages before it stored on the context and adds its own results, so a
later feature (the dunning cycle, say) joins the demo by appending a stage to
`DEMO_STAGES`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlalchemy import Engine

from cobranza.compliance.business_days import effective_due_dates
from cobranza.config import Settings
from cobranza.db.engine import default_business, open_database, transaction
from cobranza.ingest import ImportOptions, ImportReport, import_file
from cobranza.ingest.taxids import compact_tax_id
from cobranza.portfolio import AuditReport, audit_business
from cobranza.portfolio.html import write_html
from cobranza.portfolio.terminal import print_audit
from cobranza.simulate.countries import ARGENTINA, DemoCountry
from cobranza.simulate.portfolio import (
    DEFAULT_SEED,
    DemoPortfolio,
    generate_portfolio,
    write_csv,
)
from cobranza.timeutil import local_date

logger = logging.getLogger(__name__)

# The time zone of the default, Argentine demo.
DEMO_TIMEZONE = ARGENTINA.timezone
SIMULATED_DAYS = 7
DEMO_PORT = 8000
# The years `--now` may fall in. Years near 1 or 9999 overflow the generated
# history, which reaches 15 months back, and the audit rejects very old dates.
DEMO_YEARS = (2000, 2099)
# The simulated week's daily cycles run at `CYCLE_HOUR` local time, and the
# portfolio is loaded earlier on the first day, so that no message predates
# the invoices it is about.
CYCLE_HOUR = 10
LOAD_HOUR = 9


@dataclass
class DemoContext:
    """State shared by the demo stages: output paths, "now" and stage results."""

    database: Path
    now: datetime
    console: Console
    seed: int = DEFAULT_SEED
    html: Path | None = None
    port: int = DEMO_PORT
    country: DemoCountry = ARGENTINA
    settings: Settings = field(init=False)
    engine: Engine | None = None
    portfolio: DemoPortfolio | None = None
    export_path: Path | None = None
    import_report: ImportReport | None = None
    audit_report: AuditReport | None = None

    def __post_init__(self) -> None:
        # Explicit values, so that the demo never reads the owner's
        # COBRANZA_DATABASE_URL or business name from the environment.
        self.settings = Settings(
            database_url=f"sqlite:///{self.database}",
            business_name=self.country.business_name,
            country=self.country.code,
            timezone=self.country.timezone,
            currency=self.country.currency,
            locale=self.country.locale,
            public_base_url=f"http://127.0.0.1:{self.port}",
            payment_provider="sandbox",
            llm_base_url=None,
            # The demo's own media folder, because in a folder shared with the
            # owner's database the media sweep deletes no unnamed file.
            media_dir=str(self.database.with_name(f"{self.database.stem}-media")),
            _env_file=None,
        )

    def environment(self) -> dict[str, str]:
        """Return the `COBRANZA_*` variables that make the demo's settings global.

        Code that reads the process-wide settings, such as payment links and
        the server, must see the demo's database, its links to this port, the
        sandbox payment provider and no LLM, whatever the owner's environment
        or `.env` sets.
        """
        settings = self.settings
        return {
            "COBRANZA_DATABASE_URL": settings.database_url,
            "COBRANZA_BUSINESS_NAME": settings.business_name,
            "COBRANZA_COUNTRY": settings.country,
            "COBRANZA_TIMEZONE": settings.timezone,
            "COBRANZA_CURRENCY": settings.currency,
            "COBRANZA_LOCALE": settings.locale,
            "COBRANZA_PUBLIC_BASE_URL": settings.public_base_url,
            "COBRANZA_PAYMENT_PROVIDER": settings.payment_provider,
            "COBRANZA_MEDIA_DIR": settings.media_dir,
            # An empty URL leaves the LLM off, overriding a `.env` value.
            "COBRANZA_LLM_BASE_URL": "",
        }

    @property
    def timezone(self) -> str:
        return self.country.timezone

    @property
    def today(self) -> date:
        return local_date(self.now, self.timezone)

    @property
    def loaded_at(self) -> datetime:
        """When the portfolio is loaded: at `LOAD_HOUR` on the day a week before `now`.

        The demo then simulates that week's daily cycles, so that its
        messages, replies and payments are in the past when the dashboard
        opens.
        """
        week_ago = self.now - timedelta(days=SIMULATED_DAYS)
        return datetime.combine(
            local_date(week_ago, self.timezone),
            time(LOAD_HOUR),
            tzinfo=ZoneInfo(self.timezone),
        )

    @property
    def loaded_on(self) -> date:
        return local_date(self.loaded_at, self.timezone)

    def require_engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("the database stage must run before this stage")
        return self.engine


DemoStage = tuple[str, Callable[[DemoContext], None]]


def create_database(context: DemoContext) -> None:
    """Delete the demo database file if present and create a migrated one."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{context.database}{suffix}").unlink(missing_ok=True)
    context.engine = open_database(context.settings.database_url)
    country = context.country
    with transaction(context.engine) as session:
        business = default_business(session, context.settings)
        if country.business_tax_id is not None:
            business.tax_id = compact_tax_id(country.business_tax_id)
        if country.business_address is not None:
            business.settings = {
                **(business.settings or {}),
                "address": country.business_address,
            }
    context.console.print(f"Base de datos nueva: {context.database}")


def generate_export(context: DemoContext) -> None:
    """Generate the fictitious portfolio and write it as a CSV export."""
    context.portfolio = generate_portfolio(
        context.loaded_on, context.seed, context.country
    )
    export = context.database.with_name(f"{context.database.stem}-facturas.csv")
    context.export_path = write_csv(context.portfolio, export)
    context.console.print(
        f"Cartera ficticia: {len(context.portfolio.customers)} clientes, "
        f"{len(context.portfolio.documents)} comprobantes, exportados a {export}"
    )


def import_export(context: DemoContext) -> None:
    """Load the export through the importer, as an owner's file would be."""
    assert context.export_path is not None, "the export stage must run first"
    with transaction(context.require_engine()) as session:
        business = default_business(session, context.settings)
        report = import_file(
            session, business, context.export_path, ImportOptions(), context.loaded_at
        )
    context.import_report = report
    context.console.print(
        f"Importados {report.documents_imported} comprobantes y "
        f"{report.payments_recorded} pagos; "
        f"{report.rejected_row_count} filas rechazadas."
    )


def audit_portfolio_stage(context: DemoContext) -> None:
    """Audit the portfolio as loaded, store segments and print the tables."""
    report = audit_business(
        context.require_engine(),
        context.settings,
        context.loaded_at,
        effective_due_for=effective_due_dates,
    )
    context.audit_report = report
    context.console.print()
    print_audit(report, context.console, report.locale)
    if context.html is not None:
        write_html(report, context.html)
        context.console.print(f"Informe HTML: {context.html}")


DEMO_STAGES: list[DemoStage] = [
    ("database", create_database),
    ("export", generate_export),
    ("import", import_export),
    ("audit", audit_portfolio_stage),
]


def run_demo(
    context: DemoContext, stages: list[DemoStage] | None = None
) -> DemoContext:
    """Run the demo stages in order and return the context with their results."""
    try:
        for name, stage in DEMO_STAGES if stages is None else stages:
            logger.info("demo stage %s started", name)
            stage(context)
    finally:
        if context.engine is not None:
            context.engine.dispose()
    return context
