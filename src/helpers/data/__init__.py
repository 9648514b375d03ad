"""Stage 1, data in: registry schema, NIK rules, pseudonyms, file readers, reference tables,
the synthetic sample and the intake (column aliases, value vocabularies, validation, ledger,
cache, ``cakupan validate``)."""

__all__: list[str] = []
