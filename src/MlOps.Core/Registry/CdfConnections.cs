using System.Linq;
using System;
using System.Collections.Generic;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.Registry
{
    /// <summary>
    /// CDF clients built from settings, with their secrets read from the environment variables the settings name.
    /// One client per connection and secret is kept for the process, so tokens and connections are reused across commands.
    /// </summary>
    public static class CdfConnections
    {
        public const string SecretMissing = "CdfSecretMissing";
        private static readonly Dictionary<string, CdfClient> Clients = new Dictionary<string, CdfClient>(StringComparer.Ordinal);
        private static readonly Dictionary<string, string> SessionSecrets = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>
        /// Reads a secret from a SecretManagement vault (name, vault) for the thread running a command; the PowerShell layer
        /// sets it (Get-Secret), the engine only calls it when the settings name a vault secret and the variable is not set.
        /// </summary>
        [ThreadStatic]
        private static Func<string, string?, string>? _vaultReader;

        public static Func<string, string?, string>? VaultReader
        {
            get => _vaultReader;
            set => _vaultReader = value;
        }

        /// <summary>The capabilities a registry in CDF Files needs.</summary>
        public static readonly IReadOnlyList<string> RegistryCapabilities = new[] { "filesAcl:READ", "filesAcl:WRITE" };

        /// <summary>
        /// Keeps a secret in this process's memory for the variable the settings name (Connect-MlCdf), ahead of the environment
        /// variable itself. It is never written anywhere.
        /// </summary>
        public static void SetSessionSecret(string variable, string secret)
        {
            lock (SessionSecrets)
            {
                SessionSecrets[variable] = secret;
            }
        }

        /// <summary>Forgets a secret kept by <see cref="SetSessionSecret"/>; returns false when there was none.</summary>
        public static bool ForgetSessionSecret(string variable)
        {
            lock (SessionSecrets)
            {
                return SessionSecrets.Remove(variable);
            }
        }

        /// <summary>
        /// Checks a connection step by step: the secret is set, a token is issued, the project is reachable, and each
        /// capability the environment needs is granted. Stops at the first step that fails.
        /// </summary>
        public static List<CdfConnectionCheck> Test(string environment, CdfConnectionSettings settings, IEnumerable<string> capabilities,
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

            foreach (var capability in capabilities)
            {
                var has = inspection.Has(capability, settings.Project);
                checks.Add(new CdfConnectionCheck(environment, capability, has,
                    has ? "granted" : $"missing: ask the CDF project's admin to grant {capability} to this client"));
            }

            return checks;
        }

        public static CdfClient Client(CdfConnectionSettings settings, System.Collections.IDictionary? environment = null)
        {
            environment ??= Environment.GetEnvironmentVariables();
            var credentials = Credentials(settings, environment);
            var key = string.Join("|", settings.BaseUrl, settings.Project, credentials.ToString(), Fingerprint(credentials.Secret));
            lock (Clients)
            {
                if (!Clients.TryGetValue(key, out var client))
                {
                    client = new CdfClient(new CdfClientOptions { BaseUrl = settings.BaseUrl, Project = settings.Project, Credentials = credentials });
                    Clients[key] = client;
                }

                return client;
            }
        }

        /// <summary>The credentials a connection uses (its secret resolved from the environment, the session or a vault).</summary>
        internal static CdfCredentials CredentialsFor(CdfConnectionSettings settings) => Credentials(settings, Environment.GetEnvironmentVariables());

        private static CdfCredentials Credentials(CdfConnectionSettings settings, System.Collections.IDictionary environment)
        {
            if (settings.ApiKeyVariable != null)
            {
                return CdfCredentials.ApiKey(Secret(settings, settings.ApiKeyVariable, "API key", environment));
            }

            var secret = Secret(settings, settings.ClientSecretVariable, "client secret", environment);
            var scopes = settings.Scopes.Count > 0 ? settings.Scopes : new[] { settings.BaseUrl.TrimEnd('/') + "/.default" };
            return settings.TokenUrl != null
                ? CdfCredentials.ClientCredentials(settings.TokenUrl, settings.ClientId!, secret, scopes)
                : CdfCredentials.EntraClientCredentials(settings.TenantId!, settings.ClientId!, secret, scopes);
        }

        private static string Secret(CdfConnectionSettings settings, string variable, string what, System.Collections.IDictionary environment)
        {
            lock (SessionSecrets)
            {
                if (SessionSecrets.TryGetValue(variable, out var remembered))
                {
                    return remembered;
                }
            }

            if (environment[variable] is string value && value.Length > 0)
            {
                return value;
            }

            if (settings.SecretName != null)
            {
                if (VaultReader == null)
                {
                    throw new MlOpsException(SecretMissing, MlOpsErrorKind.SecurityError,
                        $"The {what} for CDF is the vault secret '{settings.SecretName}', which cannot be read outside PowerShell.", settings.SecretName);
                }

                var fromVault = VaultReader(settings.SecretName, settings.SecretVault);
                lock (SessionSecrets)
                {
                    SessionSecrets[variable] = fromVault;
                }

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
                return ContentHash.ToHex(sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(secret)));
            }
        }
    }
}
