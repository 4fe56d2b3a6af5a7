using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>
    /// OAuth 2.0 client-credentials tokens: fetched on first use, cached, renewed once within the refresh margin of
    /// expiry, and renewed at once when CDF rejects the cached one. Thread-safe; concurrent callers share one fetch.
    /// </summary>
    internal sealed class CdfTokenProvider
    {
        private readonly CdfHttp http;
        private readonly CdfCredentials credentials;
        private readonly string scopes;
        private readonly TimeProvider time;
        private readonly TimeSpan margin;
        private readonly SemaphoreSlim gate = new SemaphoreSlim(1, 1);
        private CachedToken? cached;

        public CdfTokenProvider(CdfHttp http, CdfCredentials credentials, string scopes, TimeProvider time, TimeSpan margin)
        {
            this.http = http;
            this.credentials = credentials;
            this.scopes = scopes;
            this.time = time;
            this.margin = margin;
        }

        /// <summary>Tokens fetched so far (for diagnostics and tests).</summary>
        public int Fetched { get; private set; }

        /// <summary>A valid token; <paramref name="rejected"/> names a token CDF refused, which is then not reused.</summary>
        public async Task<string> GetTokenAsync(string? rejected, CancellationToken cancellationToken)
        {
            var current = Volatile.Read(ref cached);
            if (IsUsable(current, rejected))
            {
                return current!.AccessToken;
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                current = cached;
                if (IsUsable(current, rejected))
                {
                    return current!.AccessToken;
                }

                var fresh = await FetchAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref cached, fresh);
                return fresh.AccessToken;
            }
            finally
            {
                gate.Release();
            }
        }

        private bool IsUsable(CachedToken? token, string? rejected) =>
            token != null && token.AccessToken != rejected && time.GetUtcNow() < token.RenewAt;

        private async Task<CachedToken> FetchAsync(CancellationToken cancellationToken)
        {
            var tokenUri = new Uri(credentials.TokenUrl!);
            var operation = new CdfOperation("POST token endpoint " + tokenUri.GetLeftPart(UriPartial.Path), tokenUri.Authority, http.Project,
                CdfRetryMode.Idempotent, isTokenRequest: true);
            var form = new[]
            {
                new KeyValuePair<string, string>("grant_type", "client_credentials"),
                new KeyValuePair<string, string>("client_id", credentials.ClientId!),
                new KeyValuePair<string, string>("client_secret", credentials.Secret),
                new KeyValuePair<string, string>("scope", scopes),
            };
            var requestedAt = time.GetUtcNow();
            using var response = await http.ExecuteAsync(operation, () => new HttpRequestMessage(HttpMethod.Post, tokenUri) { Content = new FormUrlEncodedContent(form) },
                false, HttpCompletionOption.ResponseContentRead, http.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);

            string? accessToken = null;
            double lifetimeSeconds = 3600;
            try
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("access_token", out var token) && token.ValueKind == JsonValueKind.String)
                {
                    accessToken = token.GetString();
                }

                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("expires_in", out var expires))
                {
                    if (expires.ValueKind == JsonValueKind.Number)
                    {
                        lifetimeSeconds = expires.GetDouble();
                    }
                    else if (expires.ValueKind == JsonValueKind.String
                        && double.TryParse(expires.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                    {
                        lifetimeSeconds = parsed;
                    }
                }
            }
            catch (JsonException)
            {
                accessToken = null;
            }

            if (string.IsNullOrEmpty(accessToken))
            {
                throw CdfFailures.InvalidResponse(operation, (int)response.StatusCode, CdfFailures.RequestId(response), "no access_token in the token response.");
            }

            http.Redactor.Add(accessToken);
            Fetched++;
            var lifetime = TimeSpan.FromSeconds(Math.Max(0, lifetimeSeconds));

            // A token shorter-lived than twice the margin is renewed at half its life, not at once.
            var renewBefore = lifetime.Ticks < margin.Ticks * 2 ? TimeSpan.FromTicks(lifetime.Ticks / 2) : margin;
            return new CachedToken(accessToken!, requestedAt + lifetime - renewBefore);
        }
    }
}
