namespace MlOps.Cdf
{
    /// <summary>How a <c>CdfClient</c> authenticates its API requests.</summary>
    public enum CdfAuthKind
    {
        /// <summary>OAuth 2.0 client credentials: a bearer token from the identity provider's token endpoint.</summary>
        ClientCredentials,

        /// <summary>The legacy <c>api-key</c> header (deprecated and disabled on current CDF clusters).</summary>
        ApiKey,
    }
}
