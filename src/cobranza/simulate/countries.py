"""The demo's fictitious business and customers in each supported country.

`cobranza demo --country MX` runs the demo as a Mexican business: its
customers have Mexican names, mobile phones and RFCs, its invoices are in
pesos written as a Mexican export writes them, and its customers reply in
Mexican Spanish. Argentina, the default, keeps the generators of
`cobranza.simulate.people` unchanged, so the same seed gives the same
Argentine demo as before other countries existed.

Tax ids have valid check digits (python-stdnum) over random digits, and
phones are valid mobiles of the country (phonenumbers), so any match with
a real person or company is chance. Every name is marked as fictitious.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from stdnum.br import cnpj, cpf
from stdnum.cl import rut as cl_rut
from stdnum.co import nit
from stdnum.mx import rfc
from stdnum.pe import ruc
from stdnum.uy import rut as uy_rut

from cobranza.config import COUNTRY_DEFAULTS, SUPPORTED_COUNTRIES
from cobranza.ingest.amounts import COUNTRY_CONVENTION
from cobranza.phones import normalize_phone
from cobranza.simulate.people import (
    COMPANY_FORMS,
    COMPANY_NAMES,
    COMPANY_TRADES,
    FEMALE_NAMES,
    MALE_NAMES,
    SURNAMES,
    FictitiousParty,
    make_cuit,
    make_mobile,
)


@dataclass(frozen=True)
class DemoReply:
    """A customer's scripted reply to a message the demo sent them.

    With `pays_in_days`, the customer then pays the whole collectable balance
    that many days later, and the owner records the payment.
    """

    text: str
    pays_in_days: int | None = None


# A generator of a tax id: (rng, is_company, is_female, first name,
# surname) -> the id as it is written, or "" for a customer without one.
TaxIdMaker = Callable[[random.Random, bool, bool, str, str], str]


@dataclass(frozen=True)
class DemoCountry:
    """A supported country, as the demo's business and customers show it."""

    code: str
    business_name: str
    # The marks after each name: masculine and feminine.
    fictitious: tuple[str, str]
    male_names: tuple[str, ...]
    female_names: tuple[str, ...]
    surnames: tuple[str, ...]
    company_trades: tuple[str, ...]
    company_names: tuple[str, ...]
    # Legal forms that `ingest.taxids.kind_from_name` reads as a company.
    company_forms: tuple[str, ...]
    email_domain: str
    # The local parts of company and person emails, before the index.
    email_users: tuple[str, str]
    make_tax_id: TaxIdMaker
    make_mobile: Callable[[random.Random], str]
    # Invoice amounts in minor units, for people and for companies.
    person_amounts: tuple[int, int]
    company_amounts: tuple[int, int]
    # (kind "FC" or "NC", is company, running number) -> invoice number.
    invoice_number: Callable[[str, bool, int], str]
    # The export's header, its yes and no, and the remark on every row.
    csv_header: tuple[str, ...]
    yes_no: tuple[str, str]
    remark: str
    payment_instructions: str
    payment_method: str
    replies: tuple[DemoReply, ...]
    # Brazilian law requires the creditor's tax id and address in each
    # collection message, so the Brazilian business has them.
    business_tax_id: str | None = None
    business_address: str | None = None

    @property
    def timezone(self) -> str:
        return COUNTRY_DEFAULTS[self.code][0]

    @property
    def currency(self) -> str:
        return COUNTRY_DEFAULTS[self.code][1]

    @property
    def locale(self) -> str:
        return COUNTRY_DEFAULTS[self.code][2]

    @property
    def decimal_mark(self) -> str:
        """Return the decimal convention of the country's exports.

        It is the importer's default for the country: "comma" writes
        1.234,50 and "point" writes 1,234.50.
        """
        return COUNTRY_CONVENTION[self.code]


def make_party_in(
    country: DemoCountry, rng: random.Random, index: int, is_company: bool
) -> FictitiousParty:
    """Generate one fictitious person or company of `country`.

    For Argentina it draws the same numbers in the same order as
    `people.make_party`, so a seed gives the same customers as before.
    """
    masculine, feminine = country.fictitious
    company_user, person_user = country.email_users
    female = False
    first = surname = ""
    if is_company:
        name = (
            f"{rng.choice(country.company_trades)} {rng.choice(country.company_names)} "
            f"{rng.choice(country.company_forms)} ({feminine})"
        )
        email = f"{company_user}{index}@{country.email_domain}"
    else:
        female = rng.random() < 0.5
        first = rng.choice(country.female_names if female else country.male_names)
        surname = rng.choice(country.surnames)
        name = f"{first} {surname} ({feminine if female else masculine})"
        email = f"{person_user}{index}@{country.email_domain}"
    tax_id = country.make_tax_id(rng, is_company, female, first, surname)
    # The phonenumbers metadata leaves gaps in some mobile ranges, so a
    # number the importer would reject is drawn again. Argentina's
    # generator never needs that, so its draws stay as they were.
    phone = country.make_mobile(rng)
    while normalize_phone(phone, country.code, mobile=True).e164 is None:
        phone = country.make_mobile(rng)
    return FictitiousParty(
        name=name, is_company=is_company, tax_id=tax_id, phone=phone, email=email
    )


def unknown_country_message(value: str) -> str:
    """Return the Spanish error for a `--country` that is not supported."""
    return (
        f"--country inválido: {value!r} no es un país soportado. Usá uno de "
        "estos códigos: " + ", ".join(SUPPORTED_COUNTRIES) + "."
    )


def demo_country(value: str) -> DemoCountry:
    """Return the demo country of an ISO code, in any case; raise ValueError."""
    found = DEMO_COUNTRIES.get(value.strip().upper())
    if found is None:
        raise ValueError(unknown_country_message(value))
    return found


def _spanish_header(tax_id: str) -> tuple[str, ...]:
    return (
        "Código cliente",
        "Cliente",
        tax_id,
        "Celular",
        "Email",
        "Consentimiento",
        "Tipo",
        "Comprobante",
        "Fecha",
        "Vencimiento",
        "Importe",
        "Saldo",
        "Fecha de pago",
        "Disputa",
        "Observaciones",
    )


# Tax ids.


def _argentine_tax_id(
    rng: random.Random, is_company: bool, female: bool, first: str, surname: str
) -> str:
    # Companies draw their CUIT prefix here, in the order `people.make_party`
    # draws it, so that a seed gives the same CUITs as that function.
    if is_company:
        return make_cuit(rng, rng.choice(("30", "33")))
    return make_cuit(rng, "27" if female else "20")


def _brazilian_tax_id(
    rng: random.Random, is_company: bool, female: bool, first: str, surname: str
) -> str:
    if is_company:
        base = f"{rng.randrange(10_000_000, 99_999_999):08d}0001"
        return str(cnpj.format(base + cnpj.calc_check_digits(base)))
    while True:
        base = f"{rng.randrange(100_000_000, 999_999_999):09d}"
        for check in range(100):
            number = f"{base}{check:02d}"
            if cpf.is_valid(number):
                return str(cpf.format(number))


def _chilean_tax_id(
    rng: random.Random, is_company: bool, female: bool, first: str, surname: str
) -> str:
    low, high = (76_000_000, 78_000_000) if is_company else (8_000_000, 25_000_000)
    body = str(rng.randrange(low, high))
    return str(cl_rut.format(body + cl_rut.calc_check_digit(body)))


def _colombian_tax_id(
    rng: random.Random, is_company: bool, female: bool, first: str, surname: str
) -> str:
    # A company's NIT starts with 9; a person's is the cédula number.
    low, high = (900_000_000, 902_000_000) if is_company else (10_000_000, 99_999_999)
    body = str(rng.randrange(low, high))
    return str(nit.format(body + nit.calc_check_digit(body)))


_RFC_HOMOCLAVE_FIRST = "123456789ABCDEFGHIJKLMNPQRSTUV"
_RFC_HOMOCLAVE_SECOND = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def _mexican_tax_id(
    rng: random.Random, is_company: bool, female: bool, first: str, surname: str
) -> str:
    """Return an RFC: letters of the name, a date, a homoclave and a check."""
    while True:
        if is_company:
            letters = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVZ") for _ in range(3))
            year = rng.randrange(1990, 2020)
        else:
            vowel = next((c for c in _plain(surname)[1:] if c in "AEIOU"), "X")
            second = rng.choice("BCGHLMPRSV")
            letters = _plain(surname)[0] + vowel + second + _plain(first)[0]
            year = rng.randrange(1960, 2002)
        born = f"{year % 100:02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        homoclave = rng.choice(_RFC_HOMOCLAVE_FIRST) + rng.choice(_RFC_HOMOCLAVE_SECOND)
        body = letters + born + homoclave
        number = body + rfc.calc_check_digit(body)
        if rfc.is_valid(number, validate_check_digits=True):
            return number


def _plain(name: str) -> str:
    """Return `name` in upper case without accents, for an RFC's letters."""
    return name.upper().translate(str.maketrans("ÁÉÍÓÚÜ", "AEIOUU"))


def _peruvian_tax_id(
    rng: random.Random, is_company: bool, female: bool, first: str, surname: str
) -> str:
    # RUC 20... are legal entities, 10... people with a business (then the
    # DNI follows).
    body = ("20" if is_company else "10") + f"{rng.randrange(10_000_000, 80_000_000)}"
    return body + ruc.calc_check_digit(body)


def _uruguayan_tax_id(
    rng: random.Random, is_company: bool, female: bool, first: str, surname: str
) -> str:
    # A person's document in Uruguay is the cédula, which is no RUT and which
    # python-stdnum 2.2 cannot check, so the demo's people have none.
    if not is_company:
        return ""
    while True:
        body = f"21{rng.randrange(100_000, 999_999):06d}001"
        # A remainder of 10 has no check digit, so no RUT has that body.
        check = uy_rut.calc_check_digit(body)
        if len(check) == 1:
            return str(uy_rut.format(body + check))


# Mobile phones, each written in one of the usual ways of its country.


def _local(rng: random.Random, first_digits: str, length: int) -> str:
    """Return `first_digits` followed by random digits, `length` in all."""
    rest = length - len(first_digits)
    return first_digits + f"{rng.randrange(10**rest):0{rest}d}"


def _brazilian_mobile(rng: random.Random) -> str:
    area = rng.choice(("11", "21", "31", "41", "51", "61", "71", "81"))
    number = _local(rng, "9" + rng.choice("6789"), 9)
    head, tail = number[:5], number[5:]
    return rng.choice(
        (f"({area}) {head}-{tail}", f"+55 {area} {head}-{tail}", f"{area}{number}")
    )


def _chilean_mobile(rng: random.Random) -> str:
    number = _local(rng, "9" + rng.choice("456789"), 9)
    spaced = f"{number[0]} {number[1:5]} {number[5:]}"
    return rng.choice((f"+56 {spaced}", spaced, number))


def _colombian_mobile(rng: random.Random) -> str:
    number = _local(rng, rng.choice(("300", "301", "310", "311", "315", "320")), 10)
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    return rng.choice((spaced, f"+57 {number[:3]} {number[3:]}", number))


def _mexican_mobile(rng: random.Random) -> str:
    area = rng.choice(("55", "33", "81"))
    number = _local(rng, rng.choice("123456789"), 8)
    head, tail = number[:4], number[4:]
    formats = (
        f"{area} {head} {tail}",
        f"({area}) {head}-{tail}",
        # The "1" that Mexican mobiles had before 2019, still in old records.
        f"+52 1 {area} {head} {tail}",
        f"{area}{number}",
    )
    return rng.choice(formats)


def _peruvian_mobile(rng: random.Random) -> str:
    number = _local(rng, "9" + rng.choice("456789"), 9)
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    return rng.choice((spaced, f"+51 {number}", number))


def _uruguayan_mobile(rng: random.Random) -> str:
    number = _local(rng, "9" + rng.choice("1345689"), 8)
    return rng.choice(
        (f"0{number[:2]} {number[2:5]} {number[5:]}", f"+598 {number}", f"0{number}")
    )


# Invoice numbers as each country's accounting exports write them.


def _argentine_invoice(kind: str, is_company: bool, number: int) -> str:
    return f"{kind} {'A' if is_company else 'B'} 0003-{number:08d}"


def _brazilian_invoice(kind: str, is_company: bool, number: int) -> str:
    prefix = "NF-e" if kind == "FC" else "Devolução"
    return f"{prefix} {number:09,d}".replace(",", ".")


def _numbered(invoice: str, credit_note: str) -> Callable[[str, bool, int], str]:
    def number_for(kind: str, is_company: bool, number: int) -> str:
        return f"{invoice if kind == 'FC' else credit_note}-{number}"

    return number_for


def _peruvian_invoice(kind: str, is_company: bool, number: int) -> str:
    # Companies get facturas (series F) and people boletas (series B), and
    # their credit notes have series FC01 and BC01.
    letter = "F" if is_company else "B"
    series = "001" if kind == "FC" else "C01"
    return f"{letter}{series}-{number:08d}"


# The scripted replies: one per intent that changes a case, in each
# country's words. The promise "mañana" is left unpaid on purpose, so the
# dashboard shows a broken promise next to one that was paid.
def _spanish_replies(
    link_request: str, job_loss: str, thanks: str
) -> tuple[DemoReply, ...]:
    return (
        DemoReply("Hola! Sí, pasado mañana te transfiero todo 🙏", pays_in_days=2),
        DemoReply("ya te transferí el lunes, te mando el comprobante"),
        DemoReply("¿Puedo pagarlo en 3 cuotas?"),
        DemoReply("te lo pago mañana sin falta"),
        DemoReply(link_request),
        DemoReply("no me escriban más"),
        DemoReply("el monto está mal, me cobraron dos veces la misma factura"),
        DemoReply(job_loss),
        DemoReply(thanks),
    )


_SPANISH_NAMES = {
    "male_names": ("Juan", "Carlos", "José", "Luis", "Miguel", "Andrés", "Jorge"),
    "female_names": ("María", "Ana", "Laura", "Carmen", "Daniela", "Paula", "Rosa"),
    "company_names": ("El Roble", "Los Pinos", "San José", "La Esquina", "Del Valle"),
}

ARGENTINA = DemoCountry(
    code="AR",
    business_name="Distribuidora Ejemplo (ficticia)",
    fictitious=("ficticio", "ficticia"),
    male_names=MALE_NAMES,
    female_names=FEMALE_NAMES,
    surnames=SURNAMES,
    company_trades=COMPANY_TRADES,
    company_names=COMPANY_NAMES,
    company_forms=COMPANY_FORMS,
    email_domain="ejemplo.com.ar",
    email_users=("administracion", "cliente"),
    make_tax_id=_argentine_tax_id,
    make_mobile=make_mobile,
    person_amounts=(12_000_00, 160_000_00),
    company_amounts=(80_000_00, 900_000_00),
    invoice_number=_argentine_invoice,
    csv_header=_spanish_header("CUIT"),
    yes_no=("sí", "no"),
    remark="datos ficticios",
    payment_instructions=(
        "transferencia a Distribuidora Ejemplo (ficticia), alias EJEMPLO.COBRANZA"
    ),
    payment_method="transferencia",
    replies=_spanish_replies(
        "me pasás el alias?",
        "me quedé sin laburo, ahora no puedo pagar nada",
        "dale, gracias 👍",
    ),
)

MEXICO = DemoCountry(
    code="MX",
    business_name="Distribuidora Ejemplo (ficticia)",
    fictitious=("ficticio", "ficticia"),
    surnames=("Hernández", "García", "Martínez", "López", "Ramírez", "Flores"),
    company_trades=("Ferretería", "Abarrotes", "Papelería", "Tlapalería", "Farmacia"),
    company_forms=("S.A. de C.V.", "S. de R.L. de C.V."),
    email_domain="ejemplo.com.mx",
    email_users=("administracion", "cliente"),
    make_tax_id=_mexican_tax_id,
    make_mobile=_mexican_mobile,
    person_amounts=(800_00, 12_000_00),
    company_amounts=(5_000_00, 60_000_00),
    invoice_number=_numbered("A", "NC"),
    csv_header=_spanish_header("RFC"),
    yes_no=("sí", "no"),
    remark="datos ficticios",
    payment_instructions=(
        "transferencia SPEI a Distribuidora Ejemplo (ficticia), "
        "CLABE 002180701234567895"
    ),
    payment_method="transferencia",
    replies=_spanish_replies(
        "¿me pasas la CLABE?",
        "me quedé sin chamba, ahorita no puedo pagar nada",
        "sale, gracias 👍",
    ),
    **_SPANISH_NAMES,
)

COLOMBIA = DemoCountry(
    code="CO",
    business_name="Distribuidora Ejemplo (ficticia)",
    fictitious=("ficticio", "ficticia"),
    surnames=("Rodríguez", "Gómez", "Restrepo", "Cárdenas", "Ospina", "Vargas"),
    company_trades=("Ferretería", "Droguería", "Papelería", "Panadería", "Almacén"),
    company_forms=("S.A.S.", "Ltda."),
    email_domain="ejemplo.com.co",
    email_users=("administracion", "cliente"),
    make_tax_id=_colombian_tax_id,
    make_mobile=_colombian_mobile,
    person_amounts=(80_000, 1_200_000),
    company_amounts=(600_000, 8_000_000),
    invoice_number=_numbered("FE", "NC"),
    csv_header=_spanish_header("NIT"),
    yes_no=("sí", "no"),
    remark="datos ficticios",
    payment_instructions=(
        "transferencia a Distribuidora Ejemplo (ficticia), cuenta de ahorros "
        "Bancolombia 123-456789-01, o Nequi 3001234567"
    ),
    payment_method="transferencia",
    replies=_spanish_replies(
        "¿me regalas el número de la cuenta?",
        "me quedé sin trabajo, ahorita no puedo pagar nada",
        "listo, gracias 👍",
    ),
    **_SPANISH_NAMES,
)

CHILE = DemoCountry(
    code="CL",
    business_name="Distribuidora Ejemplo (ficticia)",
    fictitious=("ficticio", "ficticia"),
    surnames=("González", "Muñoz", "Rojas", "Díaz", "Soto", "Contreras"),
    company_trades=("Ferretería", "Botillería", "Librería", "Panadería", "Almacén"),
    company_forms=("SpA", "Ltda."),
    email_domain="ejemplo.cl",
    email_users=("administracion", "cliente"),
    make_tax_id=_chilean_tax_id,
    make_mobile=_chilean_mobile,
    person_amounts=(20_000, 300_000),
    company_amounts=(150_000, 2_000_000),
    invoice_number=_numbered("F", "NC"),
    csv_header=_spanish_header("RUT"),
    yes_no=("sí", "no"),
    remark="datos ficticios",
    payment_instructions=(
        "transferencia a Distribuidora Ejemplo (ficticia), cuenta corriente "
        "12345678 de BancoEstado, RUT 76.543.210-3"
    ),
    payment_method="transferencia",
    replies=_spanish_replies(
        "¿me mandas los datos para transferir?",
        "me quedé sin pega, ahora no puedo pagar nada",
        "ya, gracias 👍",
    ),
    **_SPANISH_NAMES,
)

PERU = DemoCountry(
    code="PE",
    business_name="Distribuidora Ejemplo (ficticia)",
    fictitious=("ficticio", "ficticia"),
    surnames=("Quispe", "Flores", "Mamani", "Huamán", "Chávez", "Ramos"),
    company_trades=("Ferretería", "Bodega", "Librería", "Botica", "Panadería"),
    company_forms=("S.A.C.", "E.I.R.L."),
    email_domain="ejemplo.com.pe",
    email_users=("administracion", "cliente"),
    make_tax_id=_peruvian_tax_id,
    make_mobile=_peruvian_mobile,
    person_amounts=(60_00, 900_00),
    company_amounts=(400_00, 5_000_00),
    invoice_number=_peruvian_invoice,
    csv_header=_spanish_header("RUC"),
    yes_no=("sí", "no"),
    remark="datos ficticios",
    payment_instructions=(
        "transferencia a Distribuidora Ejemplo (ficticia), CCI "
        "00219300123456789013, o Yape al 987654321"
    ),
    payment_method="transferencia",
    replies=_spanish_replies(
        "¿me pasas el número de Yape?",
        "me quedé sin chamba, ahora no puedo pagar nada",
        "listo, gracias 👍",
    ),
    **_SPANISH_NAMES,
)

URUGUAY = DemoCountry(
    code="UY",
    business_name="Distribuidora Ejemplo (ficticia)",
    fictitious=("ficticio", "ficticia"),
    surnames=("Rodríguez", "Pereira", "Silva", "Fernández", "Techera", "Olivera"),
    company_trades=("Ferretería", "Almacén", "Barraca", "Librería", "Panadería"),
    company_forms=("S.R.L.", "S.A."),
    email_domain="ejemplo.com.uy",
    email_users=("administracion", "cliente"),
    make_tax_id=_uruguayan_tax_id,
    make_mobile=_uruguayan_mobile,
    person_amounts=(800_00, 12_000_00),
    company_amounts=(6_000_00, 60_000_00),
    invoice_number=_numbered("A", "NC A"),
    csv_header=_spanish_header("RUT"),
    yes_no=("sí", "no"),
    remark="datos ficticios",
    payment_instructions=(
        "transferencia a Distribuidora Ejemplo (ficticia), caja de ahorro "
        "BROU 001234567-00001"
    ),
    payment_method="transferencia",
    replies=_spanish_replies(
        "me pasás los datos de la cuenta?",
        "me quedé sin laburo, ahora no puedo pagar nada",
        "joya, gracias 👍",
    ),
    **_SPANISH_NAMES,
)

BRAZIL = DemoCountry(
    code="BR",
    business_name="Distribuidora Exemplo (fictícia)",
    fictitious=("fictício", "fictícia"),
    male_names=("João", "Pedro", "Lucas", "Rafael", "Marcos", "Paulo", "Thiago"),
    female_names=("Ana", "Juliana", "Fernanda", "Camila", "Beatriz", "Mariana"),
    surnames=("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa"),
    company_trades=("Mercearia", "Papelaria", "Padaria", "Farmácia", "Loja"),
    company_names=("Boa Vista", "São Jorge", "Estrela", "Do Sul", "Central"),
    company_forms=("Ltda.",),
    email_domain="exemplo.com.br",
    email_users=("financeiro", "cliente"),
    make_tax_id=_brazilian_tax_id,
    make_mobile=_brazilian_mobile,
    person_amounts=(150_00, 2_500_00),
    company_amounts=(1_000_00, 12_000_00),
    invoice_number=_brazilian_invoice,
    csv_header=(
        "Código do cliente",
        "Cliente",
        "CPF/CNPJ",
        "Celular",
        "Email",
        "Consentimento",
        "Tipo",
        "Número NF",
        "Data emissão",
        "Vencimento",
        "Valor",
        "Saldo em aberto",
        "Data pagamento",
        "Em disputa",
        "Observações",
    ),
    yes_no=("sim", "não"),
    remark="dados fictícios",
    payment_instructions=(
        "Pix para Distribuidora Exemplo (fictícia), chave CNPJ 11.222.333/0001-81"
    ),
    payment_method="pix",
    replies=(
        DemoReply("Oi! Sim, depois de amanhã faço o Pix de tudo 🙏", pays_in_days=2),
        DemoReply("já fiz o Pix na segunda, vou mandar o comprovante"),
        DemoReply("Posso parcelar em 3 vezes?"),
        DemoReply("pago amanhã sem falta"),
        DemoReply("me passa a chave Pix?"),
        DemoReply("não me mandem mais mensagens"),
        DemoReply("o valor está errado, me cobraram duas vezes a mesma fatura"),
        DemoReply("perdi meu emprego, agora não tenho como pagar nada"),
        DemoReply("beleza, obrigado 👍"),
    ),
    business_tax_id="11.222.333/0001-81",
    business_address="Rua das Flores, 100, São Paulo - SP (fictício)",
)

DEMO_COUNTRIES: MappingProxyType[str, DemoCountry] = MappingProxyType(
    {
        country.code: country
        for country in (ARGENTINA, BRAZIL, CHILE, COLOMBIA, MEXICO, PERU, URUGUAY)
    }
)
