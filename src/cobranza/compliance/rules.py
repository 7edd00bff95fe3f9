"""Contact rules per country, as data, and a business's tightening of them.

`COUNTRY_RULES` holds the legal limit for each supported country: the hours
of each weekday during which a collection message may be sent (in the
customer's local time, end exclusive), whether holidays are blocked, and the
frequency caps. A business may tighten these rules through the `compliance`
key of `Business.settings` and is never allowed to loosen them:
`apply_overrides` raises `LooserThanLawError` naming the value and the limit.

The `compliance` setting accepts these keys (every one optional):

    {"subdivision": "SP",                        # holidays of a state
     "days": ["mon", "tue", "wed", "thu"],       # a subset of the legal days
     "hours": {"start": "10:00", "end": "18:00"},  # every allowed day
     "hours_by_day": {"sat": {"start": "09:00", "end": "12:00"}},
     "block_holidays": true,
     "max_per_day": 1, "max_per_week": 2, "min_gap_hours": 48}

Not legal advice: the sources were read in secondary summaries unless the
comment on a rule names a primary text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import time, timedelta
from typing import Any

import holidays

from cobranza.compliance.errors import (
    LooserThanLawError,
    RuleOverrideError,
    UnknownJurisdictionError,
)
from cobranza.country_words import country_name, words_for_country

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_ES = (
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
)

# The maximum `min_gap_hours` a business may set. A gap of a year already
# allows one message a year, and the caps add the gap to send instants, which
# overflows datetime for gaps of thousands of years.
MAX_GAP_HOURS = 24 * 365

_OVERRIDE_KEYS = frozenset(
    {
        "subdivision",
        "days",
        "hours",
        "hours_by_day",
        "block_holidays",
        "max_per_day",
        "max_per_week",
        "min_gap_hours",
    }
)


@dataclass(frozen=True)
class DayWindow:
    """Local wall-clock hours of one day: `start` included, `end` excluded."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class ContactRules:
    """When and how often a business may message a customer.

    `windows` has one entry per weekday, Monday first; None closes the day.
    `max_per_week` counts over a rolling 7 days (see `caps.check_caps`) and
    `min_gap` is the least time between two sent messages.
    """

    country: str
    subdivision: str | None
    windows: tuple[DayWindow | None, ...]
    block_holidays: bool
    max_per_day: int | None
    max_per_week: int | None
    min_gap: timedelta | None
    source: str

    def window_for(self, weekday: int) -> DayWindow | None:
        return self.windows[weekday]


def _window(start: int, end: int) -> DayWindow:
    return DayWindow(time(start), time(end))


def _week(
    weekday: DayWindow | None, saturday: DayWindow | None = None
) -> tuple[DayWindow | None, ...]:
    return (weekday,) * 5 + (saturday, None)


COUNTRY_RULES: dict[str, ContactRules] = {
    # Argentina: no national contact window or cap was found. Ley 24.240
    # art. 8 bis (trato digno) bans vexing practices; Mon-Fri 09-20 with
    # weekends and holidays blocked is this project's safe default.
    "AR": ContactRules(
        country="AR",
        subdivision=None,
        windows=_week(_window(9, 20)),
        block_holidays=True,
        max_per_day=None,
        max_per_week=None,
        min_gap=None,
        source="Ley 24.240 art. 8 bis (sin horario legal: valor prudente)",
    ),
    # Colombia: Ley 2300 de 2023 ("dejen de fregar") art. 3: Mon-Fri
    # 07:00-19:00, Sat 08:00-15:00, never on Sundays or holidays; after the
    # first contact at most one contact a day and one channel a week.
    # NOTE: the one-channel-a-week rule is not checked here. That is safe
    # only while WhatsApp is the sole channel for collection messages.
    "CO": ContactRules(
        country="CO",
        subdivision=None,
        windows=_week(_window(7, 19), _window(8, 15)),
        block_holidays=True,
        max_per_day=1,
        max_per_week=None,
        min_gap=None,
        source="Ley 2300 de 2023, art. 3",
    ),
    # Chile: Ley 19.496 art. 37 as amended by Ley 21.320 (2021): messages
    # (SMS, e-mail, messaging apps) at most twice a week, at least two days
    # apart. Art. 37 bans visits and calls outside the days and hours that
    # art. 59 of the Código de Procedimiento Civil declares working time:
    # days that are not holidays, 08:00-20:00 (hours unconfirmed in a
    # primary text); Saturday counts, Sunday does not.
    "CL": ContactRules(
        country="CL",
        subdivision=None,
        windows=_week(_window(8, 20), _window(8, 20)),
        block_holidays=True,
        max_per_day=None,
        max_per_week=2,
        min_gap=timedelta(days=2),
        source="Ley 19.496 art. 37 (Ley 21.320)",
    ),
    # Mexico: Profeco's rules for collection agencies allow Mon-Fri
    # 07:00-22:00 (CONDUSEF: 07-22 any day). No holiday rule was found
    # (unconfirmed); blocking holidays is this project's safe default.
    "MX": ContactRules(
        country="MX",
        subdivision=None,
        windows=_week(_window(7, 22)),
        block_holidays=True,
        max_per_day=None,
        max_per_week=None,
        min_gap=None,
        source="Profeco, disposiciones sobre despachos de cobranza",
    ),
    # Peru: Ley 29571 (Código de Protección y Defensa del Consumidor) art. 62
    # b: no calls or visits between 20:00 and 07:00, nor on Saturdays,
    # Sundays or holidays.
    "PE": ContactRules(
        country="PE",
        subdivision=None,
        windows=_week(_window(7, 20)),
        block_holidays=True,
        max_per_day=None,
        max_per_week=None,
        min_gap=None,
        source="Ley 29571, art. 62 b",
    ),
    # Brazil: São Paulo Lei Estadual 15.426/2014 art. 2 (primary text read):
    # Mon-Fri 08:00-20:00, Sat 08:00-14:00, never on holidays. Other states
    # have laws of their own (Rio de Janeiro is stricter, unconfirmed).
    # NOTE: only São Paulo's law is encoded, so a business in another state
    # must tighten these hours and set its subdivision itself.
    "BR": ContactRules(
        country="BR",
        subdivision="SP",
        windows=_week(_window(8, 20), _window(8, 14)),
        block_holidays=True,
        max_per_day=None,
        max_per_week=None,
        min_gap=None,
        source="Lei Estadual SP 15.426/2014, art. 2",
    ),
    # Uruguay: no contact window or cap was found (unconfirmed); the same
    # safe default as Argentina.
    "UY": ContactRules(
        country="UY",
        subdivision=None,
        windows=_week(_window(9, 20)),
        block_holidays=True,
        max_per_day=None,
        max_per_week=None,
        min_gap=None,
        source="sin norma específica encontrada: valor prudente",
    ),
}


def legal_rules(country: str) -> ContactRules:
    """Return the legal contact rules of `country` (ISO 3166-1 alpha-2)."""
    code = country.strip().upper()
    try:
        return COUNTRY_RULES[code]
    except KeyError:
        raise UnknownJurisdictionError(
            f"no contact rules for country {country!r}: use one of "
            + ", ".join(sorted(COUNTRY_RULES))
        ) from None


def rules_for_business(
    country: str, settings: Mapping[str, Any] | None
) -> ContactRules:
    """Return the rules of a business: its country's, tightened by `settings`.

    `settings` is `Business.settings`; only its `compliance` key is read.
    """
    overrides = (settings or {}).get("compliance") or {}
    return apply_overrides(legal_rules(country), overrides)


def apply_overrides(law: ContactRules, overrides: Mapping[str, Any]) -> ContactRules:
    """Tighten `law` with a business's overrides, rejecting any loosening."""
    if not isinstance(overrides, Mapping):
        raise RuleOverrideError(
            f"reglas inválidas {overrides!r}: tienen que ser un objeto JSON, como "
            '{"max_per_week": 2}'
        )
    unknown = sorted(set(overrides) - _OVERRIDE_KEYS)
    if unknown:
        raise RuleOverrideError(
            f"clave desconocida {', '.join(unknown)}: usá alguna de estas: "
            + ", ".join(sorted(_OVERRIDE_KEYS))
        )

    windows = _tightened_windows(law, overrides)
    return replace(
        law,
        subdivision=_subdivision(law, overrides.get("subdivision")),
        windows=windows,
        block_holidays=_block_holidays(law, overrides.get("block_holidays")),
        max_per_day=_tightened_cap(law, "max_per_day", overrides),
        max_per_week=_tightened_cap(law, "max_per_week", overrides),
        min_gap=_tightened_gap(law, overrides.get("min_gap_hours")),
    )


def _tightened_windows(
    law: ContactRules, overrides: Mapping[str, Any]
) -> tuple[DayWindow | None, ...]:
    days = _allowed_days(law, overrides.get("days"))
    common = _parse_hours("hours", overrides.get("hours"))
    by_day = overrides.get("hours_by_day") or {}
    if not isinstance(by_day, Mapping):
        raise RuleOverrideError(
            f"hours_by_day inválido {by_day!r}: usá un objeto como "
            '{"sat": {"start": "09:00", "end": "12:00"}}'
        )
    bad_days = sorted(set(by_day) - set(DAY_CODES))
    if bad_days:
        raise RuleOverrideError(
            f"día inválido {', '.join(bad_days)} en hours_by_day: usá "
            + ", ".join(DAY_CODES)
        )

    windows: list[DayWindow | None] = []
    for weekday, code in enumerate(DAY_CODES):
        legal = law.windows[weekday]
        if legal is None and by_day.get(code) is not None:
            raise LooserThanLawError(
                f"hours_by_day.{code} habilita el {DAY_NAMES_ES[weekday]}, pero en "
                f"{country_name(law.country)} no se pueden enviar mensajes ese día "
                f"({law.source}): sacá ese día"
            )
        if legal is None or weekday not in days:
            windows.append(None)
            continue
        wanted = _parse_hours(f"hours_by_day.{code}", by_day.get(code)) or common
        if wanted is not None:
            _check_within(law, weekday, wanted, legal)
        windows.append(wanted or legal)
    return tuple(windows)


def _allowed_days(law: ContactRules, days: Any) -> set[int]:
    legal_days = {i for i, window in enumerate(law.windows) if window is not None}
    if days is None:
        return legal_days
    if not isinstance(days, list | tuple) or not days:
        raise RuleOverrideError(
            f"days inválido {days!r}: usá una lista no vacía, como "
            '["mon", "tue", "wed", "thu", "fri"]'
        )
    chosen: set[int] = set()
    for code in days:
        if code not in DAY_CODES:
            raise RuleOverrideError(
                f"día inválido {code!r} en days: usá " + ", ".join(DAY_CODES)
            )
        weekday = DAY_CODES.index(code)
        if weekday not in legal_days:
            raise LooserThanLawError(
                f"days incluye {code!r} ({DAY_NAMES_ES[weekday]}), pero en "
                f"{country_name(law.country)} no se pueden enviar mensajes ese día "
                f"({law.source}): sacalo de days"
            )
        chosen.add(weekday)
    return chosen


def _parse_hours(name: str, value: Any) -> DayWindow | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"start", "end"}:
        raise RuleOverrideError(
            f"{name} inválido {value!r}: usá un objeto como "
            '{"start": "09:00", "end": "18:00"}'
        )
    start = _parse_time(name, value["start"])
    end = _parse_time(name, value["end"])
    if start >= end:
        raise RuleOverrideError(
            f"{name} inválido: start {start:%H:%M} tiene que ser anterior a end "
            f"{end:%H:%M}"
        )
    return DayWindow(start, end)


def _parse_time(name: str, value: Any) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise RuleOverrideError(
            f"hora inválida {value!r} en {name}: usá HH:MM de 24 horas, como 09:30"
        ) from None


def _check_within(
    law: ContactRules, weekday: int, wanted: DayWindow, legal: DayWindow
) -> None:
    day = DAY_NAMES_ES[weekday]
    if wanted.start < legal.start:
        raise LooserThanLawError(
            f"start {wanted.start:%H:%M} del {day} es más temprano que el límite "
            f"legal {legal.start:%H:%M} en {country_name(law.country)} "
            f"({law.source}): poné {legal.start:%H:%M} o más tarde"
        )
    if wanted.end > legal.end:
        raise LooserThanLawError(
            f"end {wanted.end:%H:%M} del {day} es más tarde que el límite legal "
            f"{legal.end:%H:%M} en {country_name(law.country)} ({law.source}): poné "
            f"{legal.end:%H:%M} o más temprano, o un hours_by_day más corto para "
            "ese día"
        )


def _subdivision(law: ContactRules, value: Any) -> str | None:
    """Return the `holidays` code of the subdivision `value` names.

    A code ("SP", "x") or a name the package lists ("Córdoba") is accepted in
    any case. Anything else is rejected here, because the package raises
    `NotImplementedError` for an unknown subdivision when the holiday
    calendar is first built, and every planning cycle would fail.
    """
    if value is None:
        return law.subdivision
    if not isinstance(value, str) or not value.strip():
        raise RuleOverrideError(
            f"subdivision inválida {value!r}: usá el código de un estado o "
            "provincia, como SP"
        )
    calendar = type(holidays.country_holidays(law.country))
    codes = tuple(calendar.subdivisions)
    aliases = dict(getattr(calendar, "subdivisions_aliases", {}) or {})
    requested = value.strip().casefold()
    for code in codes:
        if code.casefold() == requested:
            return code
    for alias, code in aliases.items():
        if alias.casefold() == requested:
            return code
    if not codes:
        raise RuleOverrideError(
            f"subdivision {value!r}: el calendario de "
            f"{words_for_country(law.country).holidays} de {country_name(law.country)} "
            "no distingue provincias ni estados; quitá subdivision"
        )
    raise RuleOverrideError(
        f"subdivision desconocida {value!r} en {country_name(law.country)}: usá "
        f"uno de estos códigos: {', '.join(codes)}"
    )


def _block_holidays(law: ContactRules, value: Any) -> bool:
    if value is None:
        return law.block_holidays
    if not isinstance(value, bool):
        raise RuleOverrideError(f"block_holidays inválido {value!r}: usá true o false")
    if law.block_holidays and not value:
        raise LooserThanLawError(
            "block_holidays false es más laxo que la regla de "
            f"{country_name(law.country)}, que no permite enviar en "
            f"{words_for_country(law.country).holidays} ({law.source}): sacalo o "
            "poné true"
        )
    return value


def _tightened_cap(
    law: ContactRules, key: str, overrides: Mapping[str, Any]
) -> int | None:
    legal: int | None = getattr(law, key)
    value = overrides.get(key)
    if value is None:
        return legal
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuleOverrideError(
            f"{key} inválido {value!r}: usá un número entero de 1 o más (para no "
            "enviar mensajes un día, sacalo de days)"
        )
    if legal is not None and value > legal:
        raise LooserThanLawError(
            f"{key} {value} supera el límite legal de {legal} en "
            f"{country_name(law.country)} ({law.source}): usá {legal} o menos"
        )
    return value


def _tightened_gap(law: ContactRules, value: Any) -> timedelta | None:
    if value is None:
        return law.min_gap
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
        or value <= 0
    ):
        raise RuleOverrideError(
            f"min_gap_hours inválido {value!r}: usá un número de horas mayor que 0 "
            "(ni NaN ni Infinity), como 48"
        )
    if value > MAX_GAP_HOURS:
        raise RuleOverrideError(
            f"min_gap_hours {value!r} es demasiado grande: usá {MAX_GAP_HOURS} "
            "horas (un año) o menos"
        )
    gap = timedelta(hours=value)
    if law.min_gap is not None and gap < law.min_gap:
        legal_hours = law.min_gap / timedelta(hours=1)
        raise LooserThanLawError(
            f"min_gap_hours {value} es menor que el mínimo legal de "
            f"{legal_hours:g} horas en {country_name(law.country)} ({law.source}): usá "
            f"{legal_hours:g} o más"
        )
    return gap
