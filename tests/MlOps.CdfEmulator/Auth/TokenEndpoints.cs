using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>
/// The fake identity provider (<c>POST /oauth2/token</c>, client credentials) and CDF's <c>GET /api/v1/token/inspect</c>.
/// The token endpoint answers in OAuth 2.0's own error format, not CDF's envelope, as Entra ID and other IdPs do.
/// </summary>
internal sealed class TokenEndpoints(CdfEmulatorOptions options, AccessTokens tokens, DataSetStore dataSets)
{
    public const string TokenPath = "/oauth2/token";

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(TokenPath, IssueAsync);
        routes.MapGet("/api/v1/token/inspect", InspectAsync);
    }

    private async Task IssueAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await OAuthErrorAsync(context, 400, "invalid_request", "The body must be application/x-www-form-urlencoded.");
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["grant_type"] != "client_credentials")
        {
            await OAuthErrorAsync(context, 400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
            return;
        }

        string clientId = form["client_id"].ToString(), clientSecret = form["client_secret"].ToString();
        var basic = context.Request.Headers.Authorization.ToString();
        if (basic.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            // client_secret_basic: the pair arrives in the Authorization header instead of the form.
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..].Trim()));
            var colon = pair.IndexOf(':');
            if (colon > 0)
            {
                clientId = Uri.UnescapeDataString(pair[..colon]);
                clientSecret = Uri.UnescapeDataString(pair[(colon + 1)..]);
            }
        }

        if (tokens.FindClient(clientId, clientSecret) is not { } client)
        {
            await OAuthErrorAsync(context, 401, "invalid_client", "Unknown client_id or wrong client_secret.");
            return;
        }

        var token = tokens.Issue(client.ClientId);
        await CdfJson.WriteAsync(context, 200, new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)options.TokenLifetime.TotalSeconds,
            ["ext_expires_in"] = (long)options.TokenLifetime.TotalSeconds,
            ["access_token"] = token.AccessToken,
        });
    }

    private async Task InspectAsync(HttpContext context)
    {
        var caller = tokens.Authenticate(context.Request);
        var projects = options.Projects.Where(caller.MayUse).ToList();
        var projectScope = caller.Projects is null
            ? new JsonObject { ["allProjects"] = new JsonObject() }
            : new JsonObject { ["projects"] = new JsonArray(projects.Select(p => (JsonNode)p).ToArray()) };
        // "acl:ACTION" has scope all; "acl:ACTION@dataset:1,2" is limited to those data sets (CDF's datasetScope, ids as strings);
        // a data set may be named by external id there, looked up in the caller's projects when the token is inspected.
        string DataSetId(string idOrExternalId) => long.TryParse(idOrExternalId, out _)
            ? idOrExternalId
            : projects.SelectMany(p => dataSets.Resolve(p, [ResourceIdentifier.ByExternalId(idOrExternalId)], ignoreUnknownIds: true))
                .Select(d => d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault() ?? "0";
        var capabilities = caller.Capabilities
            .Select(c => (Capability: ApiAuthorization.Split(c.Split('@')[0]), DataSets: c.Contains('@') ? c[(c.IndexOf('@') + "@dataset:".Length)..] : null))
            .GroupBy(c => (c.Capability.Acl, c.DataSets), c => c.Capability.Action)
            .OrderBy(g => g.Key.Acl, StringComparer.Ordinal)
            .Select(g => (JsonNode)new JsonObject
            {
                [g.Key.Acl] = new JsonObject
                {
                    ["actions"] = new JsonArray(g.Order(StringComparer.Ordinal).Select(a => (JsonNode)a).ToArray()),
                    ["scope"] = g.Key.DataSets is null
                        ? new JsonObject { ["all"] = new JsonObject() }
                        : new JsonObject { ["datasetScope"] = new JsonObject { ["ids"] = new JsonArray(g.Key.DataSets.Split(',').Select(i => (JsonNode)DataSetId(i)).ToArray()) } },
                },
                ["projectScope"] = projectScope.DeepClone(),
            });
        await CdfJson.WriteAsync(context, 200, new JsonObject
        {
            ["subject"] = caller.Subject,
            ["projects"] = new JsonArray(projects.Select(p => (JsonNode)new JsonObject
            {
                ["projectUrlName"] = p,
                ["groups"] = new JsonArray(),
            }).ToArray()),
            ["capabilities"] = new JsonArray(capabilities.ToArray()),
        });
    }

    private static Task OAuthErrorAsync(HttpContext context, int status, string error, string description) =>
        CdfJson.WriteAsync(context, status, new JsonObject { ["error"] = error, ["error_description"] = description });
}
