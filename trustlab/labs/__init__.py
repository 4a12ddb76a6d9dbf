"""Data-lab helpers, one module per dataset: the statistics and charts a lesson shows."""
