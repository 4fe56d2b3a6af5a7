"""akerbp.mlops.core as later versions offered it to model code (its logger and exception types)."""
