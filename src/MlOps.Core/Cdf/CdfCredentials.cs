using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace MlOps.Cdf
{
    /// <summary>
    /// How to authenticate against CDF. The secret (client secret or API key) is held as a value that the caller reads
    /// from an environment variable or a vault; it is never part of <see cref="ToString"/>, debugger views or messages.
    /// </summary>
    [DebuggerDisplay("{ToString(),nq}")]
    public sealed class CdfCredentials
    {
        private const string EntraTokenUrl = "https://login.microsoftonline.com/{0}/oauth2/v2.0/token";

        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        private readonly string secret;

        private CdfCredentials(CdfAuthKind kind, string? tokenUrl, string? clientId, string secret, IReadOnlyList<string> scopes)
        {
            Kind = kind;
            TokenUrl = tokenUrl;
            ClientId = clientId;
            this.secret = secret;
            Scopes = scopes;
        }

        /// <summary>Client credentials or legacy API key.</summary>
        public CdfAuthKind Kind { get; }

        /// <summary>The identity provider's token endpoint (client credentials only).</summary>
        public string? TokenUrl { get; }

        /// <summary>The OAuth client (application) id (client credentials only).</summary>
        public string? ClientId { get; }

        /// <summary>Scopes to ask for; empty means <c>{baseUrl}/.default</c>.</summary>
        public IReadOnlyList<string> Scopes { get; }

        /// <summary>The secret value; internal so that nothing outside the client can print it by accident.</summary>
        internal string Secret => secret;

        /// <summary>OAuth 2.0 client credentials against any token endpoint.</summary>
        public static CdfCredentials ClientCredentials(string tokenUrl, string clientId, string clientSecret, IEnumerable<string>? scopes = null)
        {
            if (string.IsNullOrWhiteSpace(tokenUrl) || !Uri.TryCreate(tokenUrl, UriKind.Absolute, out _))
            {
                throw new ArgumentException("The token URL must be an absolute URL.", nameof(tokenUrl));
            }

            if (string.IsNullOrWhiteSpace(clientId))
            {
                throw new ArgumentException("The client id is required.", nameof(clientId));
            }

            if (string.IsNullOrEmpty(clientSecret))
            {
                throw new ArgumentException("The client secret is required (read it from an environment variable).", nameof(clientSecret));
            }

            return new CdfCredentials(CdfAuthKind.ClientCredentials, tokenUrl, clientId, clientSecret,
                (scopes ?? Enumerable.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).ToList());
        }

        /// <summary>Client credentials against Microsoft Entra ID: <c>https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token</c>.</summary>
        public static CdfCredentials EntraClientCredentials(string tenantId, string clientId, string clientSecret, IEnumerable<string>? scopes = null)
        {
            if (string.IsNullOrWhiteSpace(tenantId))
            {
                throw new ArgumentException("The tenant id is required.", nameof(tenantId));
            }

            return ClientCredentials(string.Format(System.Globalization.CultureInfo.InvariantCulture, EntraTokenUrl, Uri.EscapeDataString(tenantId.Trim())),
                clientId, clientSecret, scopes);
        }

        /// <summary>The legacy <c>api-key</c> header.</summary>
        public static CdfCredentials ApiKey(string apiKey)
        {
            if (string.IsNullOrEmpty(apiKey))
            {
                throw new ArgumentException("The API key is required (read it from an environment variable).", nameof(apiKey));
            }

            return new CdfCredentials(CdfAuthKind.ApiKey, null, null, apiKey, Array.Empty<string>());
        }

        /// <summary>Describes the credentials with the secret masked.</summary>
        public override string ToString() => Kind == CdfAuthKind.ApiKey
            ? "api-key ***"
            : $"client credentials: client '{ClientId}', token URL {TokenUrl}, secret ***"
              + (Scopes.Count > 0 ? ", scopes " + string.Join(" ", Scopes) : "");
    }
}
