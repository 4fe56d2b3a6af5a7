"""What model code written for akerbp.mlops imports from it, provided by the MlOps runtime.

Model code keeps its imports unchanged:

    from akerbp.mlops.utils import logger            # the 2021 seed
    from akerbp.mlops.core import logger             # later versions
    from akerbp.mlops.core.logger import get_logger
    from akerbp.mlops.core.exceptions import ModelException

Loggers write through the MlOps runtime, so their lines show in Get-MlServiceLog tagged with the call, at the level the
model's settings ask for ("logLevel"). Nothing else of akerbp.mlops (its deployment, CDF or model-manager code) is
provided: MlOps does that work itself.
"""

__version__ = "mlops-compat"
