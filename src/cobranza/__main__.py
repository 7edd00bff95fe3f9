"""Run the command line as `python -m cobranza`, the same as `cobranza`."""

from cobranza.cli import main

main()
