using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.Platforms
{
    /// <summary>Creates the platform an environment's settings name.</summary>
    public static class PlatformFactory
    {
        public static IServicePlatform Create(PlatformSettings settings)
        {
            switch (settings.Type)
            {
                case "local":
                    return new LocalPlatform(settings.Path);
                default:
                    throw new MlOpsException(ErrorIds.UnsupportedPlatform, MlOpsErrorKind.InvalidArgument,
                        $"The platform type '{settings.Type}' is not supported.", settings.Type,
                        "Use one of: " + string.Join(", ", SettingsLoader.KnownPlatformTypes));
            }
        }
    }
}
