using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>The Sessions API over <see cref="CdfHttp"/>.</summary>
    internal sealed class SessionsResource : ICdfSessions
    {
        private readonly CdfHttp http;

        public SessionsResource(CdfHttp http) => this.http = http;

        public async Task<CdfSession> CreateAsync(SessionCreate session, CancellationToken cancellationToken = default)
        {
            http.Redactor.Add(session.Secret);
            var body = new JsonObject { ["items"] = new JsonArray(session.ToJson()) };
            var page = await http.JsonAsync<ItemsWithCursor<CdfSession>>(HttpMethod.Post, "/sessions", body, cancellationToken).ConfigureAwait(false);
            var created = page.Items.FirstOrDefault() ?? throw new InvalidOperationException("CDF created no session.");
            http.Redactor.Add(created.Nonce);
            return created;
        }

        public Task<CdfSession> CreateFromClientCredentialsAsync(CancellationToken cancellationToken = default)
        {
            var credentials = http.Credentials;
            if (credentials.Kind != CdfAuthKind.ClientCredentials)
            {
                throw new InvalidOperationException("Sessions from client credentials need client-credentials authentication, not an API key.");
            }

            return CreateAsync(SessionCreate.FromClientCredentials(credentials.ClientId!, credentials.Secret), cancellationToken);
        }

        public async Task<IReadOnlyList<CdfSession>> RetrieveAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default) =>
            (await http.JsonAsync<ItemsWithCursor<CdfSession>>(HttpMethod.Post, "/sessions/byids", FilesResource.Items(ids.Select(Identity.Create)),
                cancellationToken).ConfigureAwait(false)).Items;

        public async Task<IReadOnlyList<CdfSession>> RevokeAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default) =>
            (await http.JsonAsync<ItemsWithCursor<CdfSession>>(HttpMethod.Post, "/sessions/revoke", FilesResource.Items(ids.Select(Identity.Create)),
                cancellationToken).ConfigureAwait(false)).Items;
    }
}
