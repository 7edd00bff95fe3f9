"""The tax id schemes of the supported countries, checked with python-stdnum."""

from __future__ import annotations

from types import MappingProxyType, ModuleType

from stdnum.ar import cuit
from stdnum.br import cnpj, cpf
from stdnum.cl import rut as cl_rut
from stdnum.co import nit
from stdnum.mx import rfc
from stdnum.pe import ruc
from stdnum.uy import rut as uy_rut

# The name shown in messages and the python-stdnum module of each tax id a
# business or customer of the country may have. Brazil has two: a company's
# CNPJ and a person's CPF.
TAX_ID_SCHEMES: MappingProxyType[str, tuple[tuple[str, ModuleType], ...]] = (
    MappingProxyType(
        {
            "AR": (("CUIT", cuit),),
            "BR": (("CNPJ", cnpj), ("CPF", cpf)),
            "CL": (("RUT", cl_rut),),
            "CO": (("NIT", nit),),
            "MX": (("RFC", rfc),),
            "PE": (("RUC", ruc),),
            "UY": (("RUT", uy_rut),),
        }
    )
)
