using MlOps.Diagnostics;

namespace MlOps.Services
{
    /// <summary>Errors about services that platforms and the deployer raise alike.</summary>
    public static class ServiceErrors
    {
        public static MlOpsException NotDeployed(string serviceName) =>
            new MlOpsException(ErrorIds.ServiceNotFound, MlOpsErrorKind.NotFound, $"The service '{serviceName}' is not deployed.", serviceName,
                "Deploy it with Deploy-MlPredictionService or Deploy-MlTrainingService, or list services with Get-MlService.");
    }
}
