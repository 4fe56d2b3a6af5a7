using System.Collections.Generic;

namespace MlOps.Settings
{
    /// <summary>
    /// How an environment reaches its CDF project. Secrets are never here: the settings name the environment
    /// variables that hold them (<see cref="ClientSecretVariable"/>, <see cref="ApiKeyVariable"/>).
    /// </summary>
    public sealed class CdfConnectionSettings
    {
        public CdfConnectionSettings(string project, string baseUrl, string directory, long? dataSetId, string? tokenUrl, string? tenantId,
            string? clientId, string clientSecretVariable, string? apiKeyVariable, IReadOnlyList<string> scopes,
            string? secretName = null, string? secretVault = null, string? dataSetExternalId = null)
        {
            DataSetExternalId = dataSetExternalId;
            SecretName = secretName;
            SecretVault = secretVault;
            Project = project;
            BaseUrl = baseUrl;
            Directory = directory;
            DataSetId = dataSetId;
            TokenUrl = tokenUrl;
            TenantId = tenantId;
            ClientId = clientId;
            ClientSecretVariable = clientSecretVariable;
            ApiKeyVariable = apiKeyVariable;
            Scopes = scopes;
        }

        public string Project { get; }

        /// <summary>The cluster URL, for example https://westeurope-1.cognitedata.com.</summary>
        public string BaseUrl { get; }

        /// <summary>The CDF Files directory of the registry (akerbp.mlops: /mlops).</summary>
        public string Directory { get; }

        /// <summary>The data set the registry's files belong to, by id; null when none or named by <see cref="DataSetExternalId"/>.</summary>
        public long? DataSetId { get; }

        /// <summary>The data set by external id (akerbp.mlops's <c>dataset</c>, usually <c>mlops</c>), resolved once per session.</summary>
        public string? DataSetExternalId { get; }
        public string? TokenUrl { get; }
        public string? TenantId { get; }
        public string? ClientId { get; }

        /// <summary>The environment variable holding the OAuth client secret (default COGNITE_CLIENT_SECRET).</summary>
        public string ClientSecretVariable { get; }

        /// <summary>The environment variable holding a legacy API key; when set, API-key authentication is used.</summary>
        public string? ApiKeyVariable { get; }

        public IReadOnlyList<string> Scopes { get; }

        /// <summary>A secret in a SecretManagement vault to use when the variable is not set (Get-Secret -Name).</summary>
        public string? SecretName { get; }

        /// <summary>The vault of <see cref="SecretName"/>, or null for the default vault.</summary>
        public string? SecretVault { get; }

        /// <summary>The same connection with another CDF Files directory.</summary>
        public CdfConnectionSettings WithDirectory(string directory) => new CdfConnectionSettings(Project, BaseUrl, directory, DataSetId, TokenUrl,
            TenantId, ClientId, ClientSecretVariable, ApiKeyVariable, Scopes, SecretName, SecretVault, DataSetExternalId);

        public override string ToString() => $"{BaseUrl}/{Project}{Directory}";
    }
}
