using System;
using MlOps.Python;
using MlOps.Scaffolding;

namespace MlOps.Migration
{
    /// <summary>How Import-MlAkerbpProject takes a project over.</summary>
    public sealed class AkerbpImportOptions
    {
        /// <summary>The CI system to write a pipeline for; none unless asked.</summary>
        public CiSystem CiSystem { get; set; } = CiSystem.None;

        /// <summary>Replace an existing mlops.settings.json or pipeline file.</summary>
        public bool Force { get; set; }

        /// <summary>
        /// The CDF connection for models whose akerbp.mlops platform is cdf (akerbp.mlops read it from COGNITE_* variables).
        /// Without project, base URL and client id the environments run on the Local platform, and the import says so.
        /// </summary>
        public string? CdfProject { get; set; }

        public string? CdfBaseUrl { get; set; }

        public string? CdfClientId { get; set; }

        public string? CdfTenantId { get; set; }

        public string? CdfTokenUrl { get; set; }

        /// <summary>The variable holding the client secret; akerbp.mlops's own name by default.</summary>
        public string CdfClientSecretVariable { get; set; } = DefaultClientSecretVariable;

        public const string DefaultClientSecretVariable = "COGNITE_CLIENT_SECRET_WRITE";

        /// <summary>How to find the Python that evaluates mlops_settings.py (tests replace it).</summary>
        public Func<PythonInterpreter>? FindPython { get; set; }

        internal bool HasCdfConnection => !string.IsNullOrWhiteSpace(CdfProject) && !string.IsNullOrWhiteSpace(CdfBaseUrl)
            && !string.IsNullOrWhiteSpace(CdfClientId) && (!string.IsNullOrWhiteSpace(CdfTenantId) || !string.IsNullOrWhiteSpace(CdfTokenUrl));
    }
}
