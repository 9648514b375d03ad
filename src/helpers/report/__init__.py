"""Stage 3, report: the report builders, their cache, output files, formatting, charts, translations and the methodology page."""
