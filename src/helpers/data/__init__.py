"""Stage 1, data in: registry schema, NIK rules, pseudonyms, file readers, reference tables, the synthetic sample and the intake."""
