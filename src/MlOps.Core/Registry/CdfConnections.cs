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

        public static CdfClient Client(CdfConnectionSettings settings, System.Collections.IDictionary? environment = null)
        {
            environment ??= Environment.GetEnvironmentVariables();
            var credentials = Credentials(settings, environment);
            var key = string.Join("|", settings.BaseUrl, settings.Project, credentials.ToString(), Fingerprint(settings, environment));
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

        private static CdfCredentials Credentials(CdfConnectionSettings settings, System.Collections.IDictionary environment)
        {
            if (settings.ApiKeyVariable != null)
            {
                return CdfCredentials.ApiKey(Secret(settings.ApiKeyVariable, "API key", environment));
            }

            var secret = Secret(settings.ClientSecretVariable, "client secret", environment);
            var scopes = settings.Scopes.Count > 0 ? settings.Scopes : new[] { settings.BaseUrl.TrimEnd('/') + "/.default" };
            return settings.TokenUrl != null
                ? CdfCredentials.ClientCredentials(settings.TokenUrl, settings.ClientId!, secret, scopes)
                : CdfCredentials.EntraClientCredentials(settings.TenantId!, settings.ClientId!, secret, scopes);
        }

        private static string Secret(string variable, string what, System.Collections.IDictionary environment) =>
            environment[variable] is string value && value.Length > 0
                ? value
                : throw new MlOpsException(SecretMissing, MlOpsErrorKind.SecurityError,
                    $"The {what} for CDF is read from the environment variable {variable}, which is not set.", variable,
                    $"Set ${variable} (in CI, from the pipeline's secret variables), or name another variable in the settings.");

        /// <summary>Distinguishes clients by secret without keeping the secret in the key.</summary>
        private static string Fingerprint(CdfConnectionSettings settings, System.Collections.IDictionary environment)
        {
            var secret = environment[settings.ApiKeyVariable ?? settings.ClientSecretVariable] as string ?? string.Empty;
            using (var sha = System.Security.Cryptography.SHA256.Create())
            {
                return ContentHash.ToHex(sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(secret)));
            }
        }
    }
}
