using System.Collections.Generic;
using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.Registry
{
    /// <summary>Creates the store an environment's settings name.</summary>
    public static class RegistryFactory
    {
        public static IModelRegistry Create(RegistrySettings settings)
        {
            switch (settings.Type)
            {
                case "local":
                    return new LocalFolderRegistry(settings.Path);
                default:
                    throw new MlOpsException(ErrorIds.UnsupportedRegistry, MlOpsErrorKind.InvalidArgument,
                        $"The registry type '{settings.Type}' is not supported.", settings.Type,
                        "Use one of: " + string.Join(", ", (IEnumerable<string>)SettingsLoader.KnownRegistryTypes));
            }
        }
    }
}
