using System;
using System.Collections.Generic;
using MlOps.Cdf;
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
                case StoreKinds.Local:
                    return new LocalFolderRegistry(settings.Path);
                case StoreKinds.Cdf:
                    var cdf = settings.Cdf!;
                    var client = CdfConnections.Client(cdf);
                    return new CdfFilesRegistry(client.Files, client.Options.ApiUrl, new CdfStoreOptions
                    {
                        Directory = cdf.Directory,
                        DataSetId = cdf.DataSetId,
                        DataSetResolver = cdf.DataSetExternalId != null ? () => CdfConnections.DataSetId(cdf) : (Func<long?>?)null,
                    });
                default:
                    throw new MlOpsException(ErrorIds.UnsupportedRegistry, MlOpsErrorKind.InvalidArgument,
                        $"The registry type '{settings.Type}' is not supported.", settings.Type,
                        "Use one of: " + string.Join(", ", (IEnumerable<string>)SettingsLoader.KnownRegistryTypes));
            }
        }
    }
}
