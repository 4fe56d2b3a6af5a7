using System;
using System.Linq;

namespace MlOps.Settings
{
    /// <summary>
    /// How an environment runs its services on CDF Functions: the connection (its own, or the cdf registry's), the
    /// CDF Files directory for code zips and deployment records, and the functions' runtime and resources.
    /// </summary>
    public sealed class CdfFunctionsSettings
    {
        public const string DefaultDirectory = "/functions/mlops";
        public const string DefaultRuntime = "py311";

        /// <summary>The runtimes CDF Functions offers (Cognite's function limits: py310 to py313); the one list MlOps checks against.</summary>
        public static readonly System.Collections.Generic.IReadOnlyList<string> Runtimes = new[] { "py310", "py311", "py312", "py313" };

        public CdfFunctionsSettings(CdfConnectionSettings connection, string runtime, double? cpu, double? memory, TimeSpan deployTimeout,
            TimeSpan callTimeout, string? owner, string? indexUrl, int? callDataLimitBytes = null)
        {
            CallDataLimitBytes = callDataLimitBytes ?? DefaultCallDataLimit(connection.BaseUrl);
            Connection = connection;
            Runtime = runtime;
            Cpu = cpu;
            Memory = memory;
            DeployTimeout = deployTimeout;
            CallTimeout = callTimeout;
            Owner = owner;
            IndexUrl = indexUrl;
        }

        /// <summary>The CDF connection; its <see cref="CdfConnectionSettings.Directory"/> holds code zips and deployment records.</summary>
        public CdfConnectionSettings Connection { get; }

        /// <summary>The Python runtime, for example <c>py311</c>.</summary>
        public string Runtime { get; }

        public double? Cpu { get; }
        public double? Memory { get; }

        /// <summary>How long a new function may take to become Ready (default 25 minutes).</summary>
        public TimeSpan DeployTimeout { get; }

        /// <summary>How long a call may run before MlOps stops waiting (default 10 minutes).</summary>
        public TimeSpan CallTimeout { get; }

        public string? Owner { get; }
        public string? IndexUrl { get; }

        /// <summary>
        /// The largest call data (its JSON, in bytes) the project's functions take: "callDataLimitKb" in the settings, else what
        /// CDF allows on the cloud the cluster runs on (<see cref="DefaultCallDataLimit"/>).
        /// </summary>
        public int CallDataLimitBytes { get; }

        /// <summary>
        /// CDF's limit on a function call's data by cloud (Cognite's documentation: Google 9 MB, AWS 240 kB, Azure 36 kB), told from
        /// the cluster's host: Azure clusters are named after Azure regions or start with az-, AWS clusters start with aws-; the
        /// others run on Google Cloud. "callDataLimitKb" in the settings says otherwise where this guess is wrong.
        /// </summary>
        public static int DefaultCallDataLimit(string baseUrl)
        {
            var host = Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) ? uri.Host.ToLowerInvariant() : string.Empty;
            if (host.StartsWith("aws-", StringComparison.Ordinal) || host.Contains(".aws."))
            {
                return 240 * 1000;
            }

            string[] azure = { "az-", "azure-", "westeurope", "northeurope", "eastus", "westus", "centralus", "southcentralus", "uksouth",
                "norwayeast", "swedencentral", "germanywestcentral", "francecentral", "australiaeast", "japaneast", "southeastasia", "eastasia",
                "canadacentral", "brazilsouth", "switzerlandnorth", "westus2", "eastus2" };
            return azure.Any(a => host.StartsWith(a, StringComparison.Ordinal)) ? 36 * 1000 : 9 * 1000 * 1000;
        }
    }
}
