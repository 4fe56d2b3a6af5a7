using System.Collections.Generic;
using MlOps.Services;

namespace MlOps.Deployment
{
    /// <summary>What to deploy: a model's service in an environment, from the latest version unless one is named.</summary>
    public sealed class DeployRequest
    {
        public DeployRequest(string model, string environment, ServiceKind service)
        {
            Model = model;
            Environment = environment;
            Service = service;
        }

        public string Model { get; }
        public string Environment { get; }
        public ServiceKind Service { get; }

        /// <summary>The version to deploy (prediction); the latest when null.</summary>
        public Registry.ModelVersion? Version { get; set; }

        /// <summary>A version number to deploy (prediction), when no version object is given.</summary>
        public int? VersionNumber { get; set; }

        /// <summary>Package and test only; deploy nothing (akerbp.mlops's TESTING_ONLY).</summary>
        public bool TestOnly { get; set; }

        /// <summary>
        /// The values of the secrets the model's settings name, read by the caller (PowerShell reads vault secrets on its own
        /// thread); null: read here from the environment variables. Never written anywhere but into the service.
        /// </summary>
        public IReadOnlyDictionary<string, string>? Secrets { get; set; }
    }
}
