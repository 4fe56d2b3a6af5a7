using MlOps.Packaging;

namespace MlOps.Platforms
{
    /// <summary>A new deployment that is running but not yet the one callers reach (blue/green: tested first, then activated).</summary>
    public sealed class DeployedInstance
    {
        public DeployedInstance(ServicePackage package, string deploymentId, string endpoint, int? processId, string folder)
        {
            Package = package;
            DeploymentId = deploymentId;
            Endpoint = endpoint;
            ProcessId = processId;
            Folder = folder;
        }

        public ServicePackage Package { get; }
        public string DeploymentId { get; }
        public string Endpoint { get; }
        public int? ProcessId { get; }

        /// <summary>Where the platform keeps this deployment's files.</summary>
        public string Folder { get; }
    }
}
