using System.Collections.Generic;
using System.Linq;

namespace MlOps.Cdf
{
    /// <summary>A function to create (one per request). <see cref="ToString"/> never shows secret values.</summary>
    public sealed class FunctionCreate
    {
        /// <summary>The name.</summary>
        public string Name { get; set; } = "";

        /// <summary>The uploaded code zip (<c>uploaded</c> must be true).</summary>
        public long FileId { get; set; }

        /// <summary>The externalId (unique per project and resource type).</summary>
        public string? ExternalId { get; set; }

        /// <summary>POSIX path of the handler relative to the zip root; default <c>handler.py</c>.</summary>
        public string? FunctionPath { get; set; }

        /// <summary>Free-text description.</summary>
        public string? Description { get; set; }

        /// <summary>Who owns it (free text).</summary>
        public string? Owner { get; set; }

        /// <summary>String key/value pairs.</summary>
        public Dictionary<string, string>? Metadata { get; set; }

        /// <summary>At most 30; keys lower-case letters, digits and dashes.</summary>
        public Dictionary<string, string>? Secrets { get; set; }

        /// <summary>Environment variables of the function.</summary>
        public Dictionary<string, string>? EnvVars { get; set; }

        /// <summary>CPU cores (GCP clusters only).</summary>
        public double? Cpu { get; set; }

        /// <summary>Memory in GB (GCP clusters only).</summary>
        public double? Memory { get; set; }

        /// <summary>For example <c>py311</c>.</summary>
        public string? Runtime { get; set; }

        /// <summary>A pip index URL to install requirements from.</summary>
        public string? IndexUrl { get; set; }

        /// <summary>More pip index URLs.</summary>
        public List<string>? ExtraIndexUrls { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"function {ExternalId ?? Name} from file {FileId}"
            + (Secrets is { Count: > 0 } ? $" (secrets {string.Join(", ", Secrets.Keys.Select(k => k + "=***"))})" : "");
    }
}
