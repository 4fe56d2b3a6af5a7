using MlOps.Packaging;

namespace MlOps.Platforms
{
    /// <summary>A new deployment that is running but not yet the one callers reach (blue/green: tested first, then activated).</summary>
    public sealed class DeployedInstance
    {
        public DeployedInstance(ServicePackage package, string deploymentId, string endpoint, int? processId, string folder, int? restoredFrom = null)
        {
            Package = package;
            DeploymentId = deploymentId;
            Endpoint = endpoint;
            ProcessId = processId;
            Folder = folder;
            RestoredFrom = restoredFrom;
        }

        public ServicePackage Package { get; }
        public string DeploymentId { get; }
        public string Endpoint { get; }
        public int? ProcessId { get; }

        /// <summary>Where the platform keeps this deployment's files (Local), or its code file (CDF).</summary>
        public string Folder { get; }

        /// <summary>For a revived deployment, the history entry it came from (its activation is recorded as a rollback).</summary>
        public int? RestoredFrom { get; }
    }
}
