"""Stage 2, measures: indicator definitions and computations (Ibis), engines, disclosure control and the scorecard."""
