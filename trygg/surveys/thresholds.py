"""The disclosure thresholds, in a module of their own so that the models and forms can name them without importing
the analysis (numpy and polars) when Django starts (issue 21)."""

# No figure is shown for a group of fewer than k respondents; a survey may not set k below MIN_K.
DEFAULT_K = 10
MIN_K = 5
