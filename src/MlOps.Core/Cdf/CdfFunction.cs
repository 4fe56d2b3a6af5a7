using System.Collections.Generic;

namespace MlOps.Cdf
{
    /// <summary>A CDF Function. Status goes <c>Queued</c> -> <c>Deploying</c> -> <c>Ready</c> or <c>Failed</c>.</summary>
    public sealed class CdfFunction
    {
        /// <summary>The internal id (int64).</summary>
        public long Id { get; set; }

        /// <summary>The externalId (unique per project and resource type).</summary>
        public string? ExternalId { get; set; }

        /// <summary>The name.</summary>
        public string Name { get; set; } = "";

        /// <summary>The code zip in Files.</summary>
        public long FileId { get; set; }

        /// <summary>The handler's path inside the zip, for example <c>handler.py</c>.</summary>
        public string? FunctionPath { get; set; }

        /// <summary>Free-text description.</summary>
        public string? Description { get; set; }

        /// <summary>Who owns it (free text).</summary>
        public string? Owner { get; set; }

        /// <summary>The status as CDF reports it.</summary>
        public string? Status { get; set; }

        /// <summary>When it was created (epoch ms).</summary>
        public long CreatedTime { get; set; }

        /// <summary>String key/value pairs.</summary>
        public Dictionary<string, string>? Metadata { get; set; }

        /// <summary>Environment variables of the function.</summary>
        public Dictionary<string, string>? EnvVars { get; set; }

        /// <summary>Secret names; CDF masks the values (<c>***</c>).</summary>
        public Dictionary<string, string>? Secrets { get; set; }

        /// <summary>CPU cores (GCP clusters only).</summary>
        public double? Cpu { get; set; }

        /// <summary>Memory in GB (GCP clusters only).</summary>
        public double? Memory { get; set; }

        /// <summary>The Python runtime, for example <c>py311</c>.</summary>
        public string? Runtime { get; set; }

        /// <summary>The exact Python version.</summary>
        public string? RuntimeVersion { get; set; }

        /// <summary>Why it failed, if it did.</summary>
        public FunctionError? Error { get; set; }

        /// <summary>When it was last called (epoch ms).</summary>
        public long? LastCalled { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"function {Id} {ExternalId ?? Name} {Status}";
    }
}
