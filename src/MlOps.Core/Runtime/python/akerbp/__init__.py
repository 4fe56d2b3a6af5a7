"""Compatibility names for model code written for akerbp.mlops (provided by the MlOps runtime; see akerbp.mlops)."""
