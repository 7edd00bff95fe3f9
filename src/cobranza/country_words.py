"""Nouns and payment examples that change with the business's country.

The owner's text is written in Argentine Spanish, and `cobranza.voseo`
turns its verbs into tú forms. Some nouns and examples are Argentine too.
A public holiday is a "feriado" in Argentina but a "festivo" in Colombia
and a "día festivo" in Mexico. "Salteado" (skipped) reads "omitido"
outside the Río de la Plata. Payment instructions name an alias and a CBU
only in Argentina. Each place that prints one of these takes the word from
`words_for` (by the business's locale, as the voice is chosen) or
`words_for_country`, instead of replacing text, so holiday names and the
owner's own values never change.

The examples are made up. The CLABE, the CCI, the RUT and the CNPJ have
valid check digits; the other account numbers only have the usual length.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountryWords:
    """The words and examples an owner in one country reads."""

    # A public holiday and its plural: "feriado", "feriados".
    holiday: str
    holidays: str
    # The stem of "skipped" that takes the gender and number endings:
    # "saltead" for "salteado", "salteadas".
    skipped_stem: str
    # The usual ways to be paid without a link, as a short list of examples.
    payment_means: str
    # Payment instructions as an owner would write them, and a shorter form
    # for a command line.
    payment_example: str
    payment_example_short: str
    # The instructions of the message previews' sample business.
    sample_instructions: str

    def skipped(self, *, plural: bool = False, feminine: bool = False) -> str:
        """Return "skipped" agreeing with its noun: "salteado", "omitidas"."""
        ending = "a" if feminine else "o"
        return self.skipped_stem + ending + ("s" if plural else "")


ARGENTINA = CountryWords(
    holiday="feriado",
    holidays="feriados",
    skipped_stem="saltead",
    payment_means="alias, CBU, CLABE…",
    payment_example="transferencia al alias MI.NEGOCIO (CBU 0000003100000000000000)",
    payment_example_short="transferencia al alias MI.NEGOCIO",
    sample_instructions="Transferencia al alias tornillo.mp",
)

# Spanish that no single country owns, for a locale without a region ("es").
NEUTRAL = CountryWords(
    holiday="feriado",
    holidays="feriados",
    skipped_stem="omitid",
    payment_means="banco, número de cuenta, titular…",
    payment_example=(
        "transferencia a la cuenta 0012345678 del Banco Ejemplo, a nombre de Mi Negocio"
    ),
    payment_example_short="cuenta 0012345678 del Banco Ejemplo",
    sample_instructions="Transferencia a la cuenta 0012345678 del Banco Ejemplo",
)

# Keyed by ISO 3166 country code, the codes of `config.SUPPORTED_COUNTRIES`.
COUNTRY_WORDS: dict[str, CountryWords] = {
    "AR": ARGENTINA,
    # Brazilian owners read the Spanish pages, and "feriado" is Portuguese
    # too. The instructions go into Portuguese messages, so they are written
    # in Portuguese.
    "BR": CountryWords(
        holiday="feriado",
        holidays="feriados",
        skipped_stem="omitid",
        payment_means="clave Pix, banco, agencia y cuenta…",
        payment_example="Pix, chave CNPJ 11.222.333/0001-81",
        payment_example_short="Pix, chave CNPJ 11.222.333/0001-81",
        sample_instructions="Pix, chave pagamentos@lojaexemplo.com.br",
    ),
    "CL": CountryWords(
        holiday="feriado",
        holidays="feriados",
        skipped_stem="omitid",
        payment_means="cuenta RUT, cuenta corriente, RUT del titular…",
        payment_example=(
            "transferencia a la cuenta RUT 12345678 de BancoEstado, RUT 12.345.678-5"
        ),
        payment_example_short="cuenta RUT 12345678 de BancoEstado",
        sample_instructions="Transferencia a la cuenta RUT 12345678 de BancoEstado",
    ),
    "CO": CountryWords(
        holiday="festivo",
        holidays="festivos",
        skipped_stem="omitid",
        payment_means="Nequi, Daviplata, cuenta Bancolombia…",
        payment_example=(
            "Nequi 3001234567 o cuenta de ahorros Bancolombia 123-456789-01"
        ),
        payment_example_short="Nequi 3001234567",
        sample_instructions="Nequi 3001234567 o cuenta de ahorros Bancolombia",
    ),
    "MX": CountryWords(
        holiday="día festivo",
        holidays="días festivos",
        skipped_stem="omitid",
        payment_means="CLABE, banco, titular…",
        payment_example=(
            "transferencia a la CLABE 002180701234567895 a nombre de Mi Negocio"
        ),
        payment_example_short="transferencia a la CLABE 002180701234567895",
        sample_instructions="Transferencia a la CLABE 002180701234567895",
    ),
    "PE": CountryWords(
        holiday="feriado",
        holidays="feriados",
        skipped_stem="omitid",
        payment_means="Yape, Plin, CCI…",
        payment_example="Yape o Plin al 987654321, o al CCI 00219300123456789013",
        payment_example_short="Yape al 987654321",
        sample_instructions="Yape o Plin al 987654321",
    ),
    # Uruguay uses "feriado" and "salteado" as Argentina does, but has no
    # alias or CBU.
    "UY": CountryWords(
        holiday="feriado",
        holidays="feriados",
        skipped_stem="saltead",
        payment_means="cuenta del BROU u otro banco, Abitab, Redpagos…",
        payment_example="transferencia a la caja de ahorro BROU 001234567-00001",
        payment_example_short="caja de ahorro BROU 001234567-00001",
        sample_instructions="Transferencia a la caja de ahorro BROU 001234567-00001",
    ),
}


# The Spanish name of each country, for messages that name the business's
# country ("no es un número válido para Colombia").
COUNTRY_NAMES: dict[str, str] = {
    "AR": "Argentina",
    "BR": "Brasil",
    "CL": "Chile",
    "CO": "Colombia",
    "MX": "México",
    "PE": "Perú",
    "UY": "Uruguay",
}


def country_name(country: str) -> str:
    """Return the Spanish name of `country`, an ISO code, or the code if unknown."""
    code = country.strip().upper()
    return COUNTRY_NAMES.get(code, code)


def words_for_country(country: str | None) -> CountryWords:
    """Return the words of `country`, an ISO code, or neutral words if unknown."""
    return COUNTRY_WORDS.get((country or "").strip().upper(), NEUTRAL)


def words_for(locale: str | None) -> CountryWords:
    """Return the words of the country in `locale` ("es_CO", "pt-BR").

    None is the default es_AR, as for the voice. A locale without a region
    ("es") gets neutral words.
    """
    if locale is None:
        return ARGENTINA
    _, _, region = locale.replace("-", "_").partition("_")
    return words_for_country(region) if region else NEUTRAL
