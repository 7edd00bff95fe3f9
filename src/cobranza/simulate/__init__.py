"""Generated, fictitious portfolios and the `cobranza demo` stages."""
