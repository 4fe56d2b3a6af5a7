"""akerbp.mlops.utils as the 2021 seed offered it to model code (its logger)."""
