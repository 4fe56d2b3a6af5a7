using System.Linq;
using System;
using System.Collections.Generic;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.Cdf
{
    /// <summary>
    /// CDF clients built from settings, their secrets read from the session (Connect-MlCdf), the environment variables the
    /// settings name, or a SecretManagement vault. A command's view of its session's <see cref="CdfConnectionPool"/>: the
    /// pool is shared (clients, tokens and connections are reused across commands), the vault reader is the command's own
    /// (Get-Secret runs on the command's pipeline thread). The factories and the deployer receive one; nothing is static.
    /// </summary>
    public sealed class CdfConnections
    {
        public const string SecretMissing = CdfErrorIds.SecretMissing;
        private readonly Func<string, string?, string>? _vaultReader;
        private readonly System.Collections.IDictionary? _environment;

        /// <param name="pool">The session's clients, data set ids and remembered secrets.</param>
        /// <param name="vaultReader">Reads a vault secret (name, vault); null outside PowerShell, where a vault secret is an error.</param>
        /// <param name="environment">The environment variables to read secrets from (default: the process's).</param>
        public CdfConnections(CdfConnectionPool pool, Func<string, string?, string>? vaultReader = null, System.Collections.IDictionary? environment = null)
        {
            Pool = pool ?? throw new ArgumentNullException(nameof(pool));
            _vaultReader = vaultReader;
            _environment = environment;
        }

        /// <summary>Connections with a pool of their own, for a process without a module session (tests, workers).</summary>
        public static CdfConnections Standalone(System.Collections.IDictionary? environment = null) => new CdfConnections(new CdfConnectionPool(), null, environment);

        public CdfConnectionPool Pool { get; }

        /// <summary>The capabilities a registry in CDF Files needs.</summary>
        public static readonly IReadOnlyList<string> RegistryCapabilities = new[] { "filesAcl:READ", "filesAcl:WRITE" };

        /// <summary>
        /// The capabilities services on CDF Functions need: files (code zips, deployment history), functions (create, list,
        /// delete, call, schedules) and sessions (a call or schedule runs as a session made from the client's credentials).
        /// </summary>
        public static readonly IReadOnlyList<string> PlatformCapabilities = new[]
        {
            "filesAcl:READ", "filesAcl:WRITE", "functionsAcl:READ", "functionsAcl:WRITE", "sessionsAcl:CREATE",
        };

        /// <summary>
        /// Checks what an environment reaches in CDF, each connection once: its registry's (files capabilities, data set) and
        /// its platform's when its services run on CDF Functions (files, functions and sessions capabilities). Null when the
        /// environment uses CDF for neither.
        /// </summary>
        public List<CdfConnectionCheck>? TestEnvironment(EnvironmentSettings environment, System.Threading.CancellationToken cancellationToken)
        {
            var targets = new List<(CdfConnectionSettings Connection, List<string> Capabilities)>();
            if (environment.Registry.Cdf is CdfConnectionSettings registry)
            {
                var needs = RegistryCapabilities.ToList();
                if (registry.DataSetExternalId != null)
                {
                    needs.Add("datasetsAcl:READ");
                }

                targets.Add((registry, needs));
            }

            if (environment.Platform.Functions?.Connection is CdfConnectionSettings platform)
            {
                var same = targets.FindIndex(t => t.Connection.BaseUrl == platform.BaseUrl && t.Connection.Project == platform.Project
                    && t.Connection.ClientId == platform.ClientId && t.Connection.ClientSecretVariable == platform.ClientSecretVariable
                    && t.Connection.ApiKeyVariable == platform.ApiKeyVariable);
                if (same >= 0)
                {
                    targets[same].Capabilities.AddRange(PlatformCapabilities.Except(targets[same].Capabilities));
                }
                else
                {
                    targets.Add((platform, PlatformCapabilities.ToList()));
                }
            }

            return targets.Count == 0 ? null : targets.SelectMany(t => Test(environment.Name, t.Connection, t.Capabilities, cancellationToken)).ToList();
        }

        /// <summary>
        /// Checks a connection step by step: the secret is set, a token is issued, the project is reachable, and each
        /// capability the environment needs is granted. Stops at the first step that fails.
        /// </summary>
        public List<CdfConnectionCheck> Test(string environment, CdfConnectionSettings settings, IEnumerable<string> capabilities,
            System.Threading.CancellationToken cancellationToken)
        {
            var checks = new List<CdfConnectionCheck>();
            CdfClient client;
            try
            {
                client = Client(settings);
                checks.Add(new CdfConnectionCheck(environment, "secret", true, $"read from {settings.ApiKeyVariable ?? settings.ClientSecretVariable}"));
            }
            catch (MlOpsException e)
            {
                checks.Add(new CdfConnectionCheck(environment, "secret", false, e.Message));
                return checks;
            }

            MlOps.Cdf.TokenInspection inspection;
            try
            {
                inspection = client.Token.InspectAsync(cancellationToken).GetAwaiter().GetResult();
                checks.Add(new CdfConnectionCheck(environment, "token", true, $"issued for {inspection.Subject ?? "the client"}"));
            }
            catch (MlOpsException e)
            {
                checks.Add(new CdfConnectionCheck(environment, "token", false, e.Message));
                return checks;
            }

            var project = inspection.Projects.Contains(settings.Project, StringComparer.Ordinal);
            checks.Add(new CdfConnectionCheck(environment, "project", project, project
                ? $"{settings.Project} at {settings.BaseUrl}"
                : $"the token has no access to project '{settings.Project}' (it has: {string.Join(", ", inspection.Projects)})"));
            if (!project)
            {
                return checks;
            }

            // Files capabilities may be limited to the registry's data set; without one, only scope all lets MlOps write.
            long? dataSet = null;
            try
            {
                dataSet = DataSetId(settings, cancellationToken);
            }
            catch (MlOpsException)
            {
                // Reported by the data set check below.
            }

            foreach (var capability in capabilities)
            {
                var scoped = capability.StartsWith("filesAcl:", StringComparison.Ordinal) ? dataSet : null;
                var has = inspection.Has(capability, settings.Project, scoped);
                var scope = scoped != null ? $"scope all, or the data set {settings.DataSetExternalId ?? scoped.ToString()} (id {scoped})" : "scope all";
                checks.Add(new CdfConnectionCheck(environment, capability, has,
                    has ? "granted" : $"missing: ask the CDF project's admin to grant {capability} ({scope}) to this client; " + NeededFor(capability)));
            }

            if (checks.All(c => c.Passed))
            {
                checks.AddRange(DataSetChecks(environment, settings, client, cancellationToken));
            }

            return checks;
        }

        /// <summary>
        /// The data set the settings name exists, and the registry's directory holds no versions in another data set (which
        /// the store would not see, or, when the settings name none, whose readers would not see the store's new versions).
        /// </summary>
        private IEnumerable<CdfConnectionCheck> DataSetChecks(string environment, CdfConnectionSettings settings, CdfClient client,
            System.Threading.CancellationToken cancellationToken)
        {
            long? dataSet;
            try
            {
                dataSet = DataSetId(settings, cancellationToken);
            }
            catch (MlOpsException e)
            {
                return new[] { new CdfConnectionCheck(environment, "data set", false, e.Message) };
            }

            var checks = new List<CdfConnectionCheck>();
            if (dataSet != null)
            {
                checks.Add(new CdfConnectionCheck(environment, "data set", true, $"{settings.DataSetExternalId ?? dataSet.ToString()} (id {dataSet})"));
            }

            var versions = client.Files.ListAllAsync(new FileFilter { DirectoryPrefix = settings.Directory }, cancellationToken).GetAwaiter().GetResult()
                .Where(f => f.Directory == settings.Directory && IsVersionId(f.ExternalId))
                .ToList();
            var outside = versions.Where(f => f.DataSetId != dataSet).ToList();
            if (outside.Count == 0)
            {
                return checks;
            }

            var others = outside.Where(f => f.DataSetId != null).Select(f => f.DataSetId!.Value).Distinct().ToList();
            var names = others.Count == 0 ? new Dictionary<long, string>() : client.DataSets
                .RetrieveAsync(others.Select(Identity.Create), ignoreUnknownIds: true, cancellationToken).GetAwaiter().GetResult()
                .ToDictionary(d => d.Id, d => d.ExternalId ?? d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            string Name(long? id) => id == null ? "no data set" : names.TryGetValue(id.Value, out var name) ? $"data set {name} (id {id})" : $"data set {id}";
            var models = string.Join(", ", outside.Select(f => f.ExternalId!.Split('/')[0]).Distinct(StringComparer.Ordinal).OrderBy(m => m, StringComparer.Ordinal));
            var where = string.Join(", ", outside.Select(f => f.DataSetId).Distinct().Select(Name));
            checks.Add(new CdfConnectionCheck(environment, "versions in other data sets", false, dataSet != null
                ? $"{outside.Count} version(s) of {models} in {settings.Directory} are in {where}, not in the data set the settings name: this registry does not see them. " +
                  "Name their data set in the settings if they are the registry's (akerbp.mlops keeps its versions in 'mlops')."
                : $"{outside.Count} version(s) of {models} in {settings.Directory} are in {where}, and the settings name no data set: new versions go in none, " +
                  "where readers of that data set (akerbp.mlops) do not see them. Name it with \"dataSetExternalId\" (or \"dataSetId\")."));
            return checks;
        }

        private static string NeededFor(string capability)
        {
            switch (capability.Split(':')[0])
            {
                case "filesAcl": return "the registry's versions and the services' code and history are CDF files";
                case "functionsAcl": return "services on CDF Functions are created, listed, called and removed with it";
                case "sessionsAcl": return "every call and schedule of a CDF function runs as a session made from this client";
                case "datasetsAcl": return "the settings name the registry's data set by external id, which is looked up in the Data Sets API";
                default: return "MlOps needs it";
            }
        }

        private static bool IsVersionId(string? externalId)
        {
            var parts = (externalId ?? string.Empty).Split('/');
            return parts.Length == 3 && int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _);
        }

        /// <summary>
        /// The id of the data set a connection names: <see cref="CdfConnectionSettings.DataSetId"/>, or its
        /// <see cref="CdfConnectionSettings.DataSetExternalId"/> looked up once per session in the Data Sets API; null when none.
        /// </summary>
        public long? DataSetId(CdfConnectionSettings settings, System.Threading.CancellationToken cancellationToken = default)
        {
            if (settings.DataSetExternalId == null)
            {
                return settings.DataSetId;
            }

            var key = string.Join("|", settings.BaseUrl, settings.Project, settings.DataSetExternalId);
            if (Pool.TryGetDataSet(key, out var known))
            {
                return known;
            }

            var found = Client(settings).DataSets.RetrieveAsync(new[] { Identity.Create(settings.DataSetExternalId) }, ignoreUnknownIds: true, cancellationToken)
                .GetAwaiter().GetResult().FirstOrDefault()
                ?? throw new MlOpsException(ErrorIds.InvalidSettings, MlOpsErrorKind.NotFound,
                    $"The data set '{settings.DataSetExternalId}' (\"dataSetExternalId\") does not exist in the CDF project {settings.Project}, or the client may not read it.",
                    settings.DataSetExternalId,
                    "Name an existing data set (akerbp.mlops keeps its registry in 'mlops'), or ask the project's admin for datasetsAcl:READ.");
            Pool.RememberDataSet(key, found.Id);

            return found.Id;
        }

        public CdfClient Client(CdfConnectionSettings settings)
        {
            var credentials = CredentialsFor(settings);
            var key = string.Join("|", settings.BaseUrl, settings.Project, credentials.ToString(), Fingerprint(credentials.Secret));
            return Pool.Client(key, () => new CdfClient(new CdfClientOptions { BaseUrl = settings.BaseUrl, Project = settings.Project, Credentials = credentials }));
        }

        /// <summary>The credentials a connection uses (its secret resolved from the session, the environment or a vault).</summary>
        public CdfCredentials CredentialsFor(CdfConnectionSettings settings)
        {
            if (settings.ApiKeyVariable != null)
            {
                return CdfCredentials.ApiKey(Secret(settings, settings.ApiKeyVariable, "API key"));
            }

            var secret = Secret(settings, settings.ClientSecretVariable, "client secret");
            var scopes = settings.Scopes.Count > 0 ? settings.Scopes : new[] { settings.BaseUrl.TrimEnd('/') + "/.default" };
            return settings.TokenUrl != null
                ? CdfCredentials.ClientCredentials(settings.TokenUrl, settings.ClientId!, secret, scopes)
                : CdfCredentials.EntraClientCredentials(settings.TenantId!, settings.ClientId!, secret, scopes);
        }

        private string Secret(CdfConnectionSettings settings, string variable, string what)
        {
            if (Pool.TryGetSecret(variable, out var remembered))
            {
                return remembered;
            }

            var value = _environment != null ? _environment[variable] as string : Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(value))
            {
                return value!;
            }

            if (settings.SecretName != null)
            {
                if (_vaultReader == null)
                {
                    throw new MlOpsException(SecretMissing, MlOpsErrorKind.SecurityError,
                        $"The {what} for CDF is the vault secret '{settings.SecretName}', which cannot be read outside PowerShell.", settings.SecretName);
                }

                // Read once per session: later commands (and the service's function secrets) reuse it.
                var fromVault = _vaultReader(settings.SecretName, settings.SecretVault);
                Pool.RememberSecret(variable, fromVault);
                return fromVault;
            }

            throw new MlOpsException(SecretMissing, MlOpsErrorKind.SecurityError,
                    $"The {what} for CDF is read from the environment variable {variable}, which is not set.", variable,
                    $"Set ${variable} (in CI, from the pipeline's secret variables), run Connect-MlCdf, or name a vault secret (\"secretName\") in the settings.");
        }

        /// <summary>Distinguishes clients by secret without keeping the secret in the key.</summary>
        private static string Fingerprint(string secret)
        {
            using (var sha = System.Security.Cryptography.SHA256.Create())
            {
                return Streams.Hex.Lower(sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(secret)));
            }
        }
    }
}
