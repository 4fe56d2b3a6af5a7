using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MlOps.CdfEmulator;

/// <summary>Issues opaque bearer tokens for configured clients and authenticates API requests.</summary>
public sealed class AccessTokens
{
    private readonly CdfEmulatorOptions options;
    private readonly EmulatorClock clock;
    private readonly ConcurrentDictionary<string, IssuedToken> tokens = new(StringComparer.Ordinal);

    internal AccessTokens(CdfEmulatorOptions options, EmulatorClock clock)
    {
        this.options = options;
        this.clock = clock;
    }

    /// <summary>Every token issued so far (including expired and revoked ones).</summary>
    public IReadOnlyCollection<IssuedToken> Issued => tokens.Values.ToList();

    /// <summary>Issues a token for a configured client without going through <c>/oauth2/token</c>.</summary>
    public IssuedToken Issue(string clientId, TimeSpan? lifetime = null)
    {
        var client = options.Clients.FirstOrDefault(c => c.ClientId == clientId)
            ?? throw new ArgumentException($"No client '{clientId}' is configured.", nameof(clientId));
        var token = new IssuedToken(
            "emu_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            client.ClientId,
            clock.GetUtcNow() + (lifetime ?? options.TokenLifetime));
        tokens[token.AccessToken] = token;
        return token;
    }

    /// <summary>Makes a token unknown, as if the IdP had revoked it.</summary>
    public bool Revoke(string accessToken) => tokens.TryRemove(accessToken, out _);

    internal EmulatorClient? FindClient(string clientId, string clientSecret) =>
        options.Clients.FirstOrDefault(c => c.ClientId == clientId
            && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(c.ClientSecret), System.Text.Encoding.UTF8.GetBytes(clientSecret)));

    /// <summary>The caller behind the request's <c>Authorization</c> or <c>api-key</c> header; 401 when there is none or it is not valid.</summary>
    internal Caller Authenticate(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            const string scheme = "Bearer ";
            if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                throw new CdfApiException(401, "Unauthorized: the Authorization header must use the Bearer scheme.");
            }

            var accessToken = authorization[scheme.Length..].Trim();
            if (!tokens.TryGetValue(accessToken, out var token))
            {
                throw new CdfApiException(401, "Unauthorized: the bearer token is not valid.");
            }

            if (clock.GetUtcNow() >= token.ExpiresAt)
            {
                throw new CdfApiException(401, "Unauthorized: the bearer token has expired.");
            }

            var client = options.Clients.First(c => c.ClientId == token.ClientId);
            return new Caller
            {
                Subject = client.ClientId,
                ClientId = client.ClientId,
                AccessToken = accessToken,
                Capabilities = client.Capabilities.ToHashSet(StringComparer.Ordinal),
                Projects = client.Projects,
            };
        }

        var apiKey = request.Headers["api-key"].ToString();
        if (apiKey.Length > 0)
        {
            var key = options.ApiKeys.FirstOrDefault(k => k.Key == apiKey)
                ?? throw new CdfApiException(401, options.ApiKeys.Count == 0
                    ? "Unauthorized: API keys are not accepted; use an OIDC bearer token."
                    : "Unauthorized: the api-key is not valid.");
            return new Caller
            {
                Subject = "api-key",
                Capabilities = key.Capabilities.ToHashSet(StringComparer.Ordinal),
                Projects = key.Projects,
            };
        }

        throw new CdfApiException(401, "Unauthorized: missing Authorization: Bearer header.");
    }
}
