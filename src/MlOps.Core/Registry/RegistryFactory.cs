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
        /// <param name="settings">The environment's registry.</param>
        /// <param name="connections">Where a registry in CDF gets its client and secret.</param>
        public static IModelRegistry Create(RegistrySettings settings, CdfConnections connections)
        {
            switch (settings.Type)
            {
                case StoreKinds.Local:
                    return new LocalFolderRegistry(settings.Path);
                case StoreKinds.Cdf:
                    var cdf = settings.Cdf!;
                    var client = connections.Client(cdf);
                    return new CdfFilesRegistry(client.Files, client.Options.ApiUrl, new CdfStoreOptions
                    {
                        Directory = cdf.Directory,
                        DataSetId = cdf.DataSetId,
                        ClientRetriesReads = client.Options.Retry.MaxAttempts > 1,
                        DataSetResolver = cdf.DataSetExternalId != null ? () => connections.DataSetId(cdf) : (Func<long?>?)null,
                    });
                default:
                    throw new MlOpsException(ErrorIds.UnsupportedRegistry, MlOpsErrorKind.InvalidArgument,
                        $"The registry type '{settings.Type}' is not supported.", settings.Type,
                        "Use one of: " + string.Join(", ", (IEnumerable<string>)SettingsLoader.KnownRegistryTypes));
            }
        }
    }
}
