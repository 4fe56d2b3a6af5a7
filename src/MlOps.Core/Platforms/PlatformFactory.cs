using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.Platforms
{
    /// <summary>Creates the platform an environment's settings name.</summary>
    public static class PlatformFactory
    {
        /// <param name="settings">The environment's platform.</param>
        /// <param name="connections">Where a platform on CDF gets its client and secrets.</param>
        /// <param name="registry">The environment's registry (CDF: whose connection the training service publishes with).</param>
        /// <param name="packageCache">Where the CDF platform keeps local copies of deployed packages.</param>
        public static IServicePlatform Create(PlatformSettings settings, CdfConnections connections, RegistrySettings? registry = null, string? packageCache = null)
        {
            switch (settings.Type)
            {
                case StoreKinds.Local:
                    return new LocalPlatform(settings.Path, settings.StartTimeout, settings.KeepDeployments, settings.CallTimeout, settings.TrainingTimeout);
                case StoreKinds.Cdf:
                    return CdfFunctionsPlatform.Create(settings, connections, registry,
                        packageCache ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlops-packages"));
                default:
                    throw new MlOpsException(ErrorIds.UnsupportedPlatform, MlOpsErrorKind.InvalidArgument,
                        $"The platform type '{settings.Type}' is not supported.", settings.Type,
                        "Use one of: " + string.Join(", ", SettingsLoader.KnownPlatformTypes));
            }
        }
    }
}
