using MlOps.Services;
using MlOps.SourceControl;

namespace MlOps.Packaging
{
    /// <summary>A built service package: the zip CDF Functions (and the Local platform) deploy.</summary>
    public sealed class ServicePackage
    {
        public ServicePackage(string path, string sha256, string serviceName, string model, string environment, ServiceKind service,
            string? modelId, int? version, int fileCount, long size, SourceRevision? revision = null, Settings.ServiceInfo? info = null)
        {
            Info = info;
            Revision = revision;
            Path = path;
            Sha256 = sha256;
            ServiceName = serviceName;
            Model = model;
            Environment = environment;
            Service = service;
            ModelId = modelId;
            Version = version;
            FileCount = fileCount;
            Size = size;
        }

        public string Path { get; }
        public string Sha256 { get; }
        public string ServiceName { get; }
        public string Model { get; }
        public string Environment { get; }
        public ServiceKind Service { get; }

        /// <summary>The artifact version packaged (prediction), or null (training).</summary>
        public string? ModelId { get; }

        public int? Version { get; }
        public int FileCount { get; }
        public long Size { get; }

        /// <summary>The git revision of the project the code was packaged from; null outside a git repository.</summary>
        public SourceRevision? Revision { get; }

        /// <summary>The service's description, owner and metadata from the settings (CDF Functions shows them with the function).</summary>
        public Settings.ServiceInfo? Info { get; }

        public override string ToString() => Path;
    }
}
