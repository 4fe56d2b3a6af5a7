using System;
using System.Collections.Generic;
using MlOps.SourceControl;

namespace MlOps.Services
{
    /// <summary>A service of one model in one environment, as deployed on a platform (or only tested, with -TestOnly).</summary>
    public sealed class ServiceDeployment
    {
        public ServiceDeployment(string name, string model, ServiceKind service, string environment, int? version, string? modelId,
            string platform, string? endpoint, ServiceStatus status, string deploymentId, DateTimeOffset deployedTime, string deployedBy,
            int? processId, string packagePath, string packageSha256, IReadOnlyList<ServiceTestResult> testResults, SourceRevision? revision = null)
        {
            Revision = revision;
            Name = name;
            Model = model;
            Service = service;
            Environment = environment;
            Version = version;
            ModelId = modelId;
            Platform = platform;
            Endpoint = endpoint;
            Status = status;
            DeploymentId = deploymentId;
            DeployedTime = deployedTime;
            DeployedBy = deployedBy;
            ProcessId = processId;
            PackagePath = packagePath;
            PackageSha256 = packageSha256;
            TestResults = testResults;
        }

        /// <summary>The service name, <c>&lt;model&gt;-&lt;service&gt;-&lt;env&gt;</c>.</summary>
        public string Name { get; }

        public string Model { get; }
        public ServiceKind Service { get; }
        public string Environment { get; }

        /// <summary>The artifact version served (prediction), or null (training).</summary>
        public int? Version { get; }

        public string? ModelId { get; }
        public string Platform { get; }

        /// <summary>Where the service answers (Local: http://127.0.0.1:port).</summary>
        public string? Endpoint { get; }

        public ServiceStatus Status { get; }
        public string DeploymentId { get; }
        public DateTimeOffset DeployedTime { get; }
        public string DeployedBy { get; }
        public int? ProcessId { get; }
        public string PackagePath { get; }
        public string PackageSha256 { get; }
        public IReadOnlyList<ServiceTestResult> TestResults { get; }

        /// <summary>The git revision of the project the deployed code was packaged from; null when unknown.</summary>
        public SourceRevision? Revision { get; }

        public ServiceDeployment WithStatus(ServiceStatus status) => new ServiceDeployment(Name, Model, Service, Environment, Version, ModelId,
            Platform, Endpoint, status, DeploymentId, DeployedTime, DeployedBy, ProcessId, PackagePath, PackageSha256, TestResults, Revision);

        public override string ToString() => Name;
    }
}
