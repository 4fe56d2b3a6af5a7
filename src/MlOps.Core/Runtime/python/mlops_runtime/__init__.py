"""MlOps service runtime: generated into every service package. Standard library only."""
