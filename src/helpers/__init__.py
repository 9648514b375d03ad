"""Cakupan helpers: shared logic for social-security coverage and budget analysis.

Notebooks only narrate and call these modules:
``reference`` (committed reference tables), ``sample`` (synthetic registries),
``intake`` (read, validate, ledger, pseudonymise), ``indicators`` (one definition per
indicator), ``disclosure``, ``formatting``, ``plots``, ``runner`` and ``audit``.
"""

__version__ = "0.1.0"
