from __future__ import annotations

import pytest

from cobranza.emails import check_email


@pytest.mark.parametrize(
    "address",
    [
        "ana@bar.com",
        "ana.gomez+cobros@bar.com.ar",
        "josé@correo.com.br",
        "pagos@xn--caf-dma.com.co",
        "ventas@mi-empresa.cl",
    ],
)
def test_check_email_accepts(address: str) -> None:
    assert check_email(address).problem is None


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("ana.bar.com", "le falta la @"),
        ("ana@@bar.com", "tiene que tener una sola @"),
        ("@bar.com", "le falta el nombre antes de la @"),
        ("ana.@bar.com", "tiene un punto al principio, al final o repetido"),
        ("ana@bar", "el dominio después de la @ no es completo"),
        ("ana@bar..com", "el dominio después de la @ no es completo"),
        ("ana @bar.com", "tiene espacios o caracteres de control"),
        ("ana@bar\x1b.com", "tiene espacios o caracteres de control"),
        ("ana@-bar.com", "empieza o termina con un guion"),
        ("ana@bar_sur.com", "caracteres que no van en un dominio"),
        ("ana@10.0.0.1", "termina en números"),
        ("a" * 250 + "@bar.com", "tiene más de 254 caracteres"),
    ],
)
def test_check_email_names_problem(address: str, problem: str) -> None:
    result = check_email(address)

    assert result.problem is not None
    assert problem in result.problem


def test_check_email_trims_spaces() -> None:
    assert check_email("  ana@bar.com ").address == "ana@bar.com"


def test_check_email_uses_email_validator() -> None:
    # A special-use domain (RFC 6761), which only the package rejects.
    pytest.importorskip("email_validator")

    result = check_email("ana@bar.test")

    assert result.problem == "no tiene la forma de una dirección de correo"
