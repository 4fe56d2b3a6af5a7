using System;
using MlOps.SourceControl;

namespace MlOps.Services
{
    /// <summary>
    /// One entry of a service's deployment history: a deploy or a rollback that made a deployment the one callers
    /// reach. Entries are numbered per service (1, 2, …) and never change; the highest number is the current one.
    /// </summary>
    public sealed class DeploymentRecord
    {
        public DeploymentRecord(string name, int sequence, string action, string model, ServiceKind service, string environment, int? version,
            string? modelId, string platform, string deploymentId, string endpoint, DateTimeOffset deployedTime, string deployedBy,
            bool testsPassed, string testSummary, string packageSha256, int? restoredFrom, SourceRevision? revision = null)
        {
            Revision = revision;
            Name = name;
            Sequence = sequence;
            Action = action;
            Model = model;
            Service = service;
            Environment = environment;
            Version = version;
            ModelId = modelId;
            Platform = platform;
            DeploymentId = deploymentId;
            Endpoint = endpoint;
            DeployedTime = deployedTime;
            DeployedBy = deployedBy;
            TestsPassed = testsPassed;
            TestSummary = testSummary;
            PackageSha256 = packageSha256;
            RestoredFrom = restoredFrom;
        }

        public const string DeployAction = "deploy";
        public const string RollbackAction = "rollback";

        /// <summary>The service was removed (Remove-MlService): the history is kept as the audit trail; nothing serves after it.</summary>
        public const string RemovedAction = "removed";

        /// <summary>The entry that records the removal of the service whose latest entry is <paramref name="last"/>.</summary>
        public static DeploymentRecord Removal(DeploymentRecord last, int sequence, DateTimeOffset time, string by) =>
            new DeploymentRecord(last.Name, sequence, RemovedAction, last.Model, last.Service, last.Environment, null, null, last.Platform, string.Empty,
                string.Empty, time, by, false, "removed", string.Empty, null, null);

        /// <summary>The service name, <c>&lt;model&gt;-&lt;service&gt;-&lt;env&gt;</c>.</summary>
        public string Name { get; }

        /// <summary>The entry's number in the service's history (1 = first deploy).</summary>
        public int Sequence { get; }

        /// <summary><c>deploy</c> or <c>rollback</c>.</summary>
        public string Action { get; }

        public string Model { get; }
        public ServiceKind Service { get; }
        public string Environment { get; }

        /// <summary>The artifact version served (prediction), or null (training).</summary>
        public int? Version { get; }

        public string? ModelId { get; }
        public string Platform { get; }

        /// <summary>The deployment: Local, its folder id; CDF, the versioned function's external id.</summary>
        public string DeploymentId { get; }

        public string Endpoint { get; }
        public DateTimeOffset DeployedTime { get; }
        public string DeployedBy { get; }

        /// <summary>Whether every test run before the switch passed (always true for entries MlOps wrote; kept for audits).</summary>
        public bool TestsPassed { get; }

        /// <summary>The tests run before the switch, one line each.</summary>
        public string TestSummary { get; }

        public string PackageSha256 { get; }

        /// <summary>For a rollback, the entry whose deployment was restored.</summary>
        public int? RestoredFrom { get; }

        /// <summary>The git revision of the project the deployed code was packaged from (a rollback keeps the restored one's); null when unknown.</summary>
        public SourceRevision? Revision { get; }

        /// <summary>Set when listing: whether this entry's deployment is the one callers reach now.</summary>
        public bool IsCurrent { get; internal set; }

        /// <summary>Set when listing: whether the deployment still exists (older ones are removed; see keepDeployments).</summary>
        public bool IsAvailable { get; internal set; }

        public override string ToString() => $"{Name}#{Sequence} {Action} {ModelId ?? DeploymentId}";
    }
}
