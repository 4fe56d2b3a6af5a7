using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>The Sessions API under <c>/api/v1/projects/{project}/sessions</c>.</summary>
internal sealed class SessionsEndpoints(ApiAuthorization auth, AccessTokens tokens, SessionStore sessions)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/projects/{project}/sessions");
        api.MapPost("", CreateAsync);
        api.MapGet("", ListAsync);
        api.MapPost("/byids", ByIdsAsync);
        api.MapPost("/revoke", RevokeAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var (project, caller) = auth.Require(context, "sessionsAcl:CREATE");
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var items = RequestBody.OptionalArray(body, "items") ?? throw CdfApiException.BadRequest("items may not be null.");
        if (items.Count != 1 || items[0] is not JsonObject item)
        {
            throw CdfApiException.BadRequest("items must contain exactly one session to create.");
        }

        RequestBody.AllowOnly(item, "the session", "clientId", "clientSecret", "tokenExchange", "oneshotTokenExchange");
        var clientId = RequestBody.OptionalString(item, "clientId");
        var clientSecret = RequestBody.OptionalString(item, "clientSecret");
        var tokenExchange = RequestBody.OptionalBool(item, "tokenExchange") == true;
        var oneshot = RequestBody.OptionalBool(item, "oneshotTokenExchange") == true;
        var kinds = (clientId is not null || clientSecret is not null ? 1 : 0) + (tokenExchange ? 1 : 0) + (oneshot ? 1 : 0);
        if (kinds != 1)
        {
            throw CdfApiException.BadRequest("A session needs exactly one of clientId+clientSecret, tokenExchange: true or oneshotTokenExchange: true.");
        }

        Session session;
        if (clientId is not null || clientSecret is not null)
        {
            if (clientId is null || clientSecret is null || tokens.FindClient(clientId, clientSecret) is not { } client)
            {
                throw CdfApiException.BadRequest("Could not create the session: invalid client credentials.");
            }

            session = sessions.Create(project, "CLIENT_CREDENTIALS", client.ClientId);
        }
        else
        {
            if (caller.AccessToken is null)
            {
                throw CdfApiException.BadRequest("Token exchange needs an OIDC bearer token, not an API key.");
            }

            session = sessions.Create(project, tokenExchange ? "TOKEN_EXCHANGE" : "ONESHOT_TOKEN_EXCHANGE", caller.ClientId);
        }

        var json = new JsonObject { ["id"] = session.Id, ["type"] = session.Type, ["status"] = session.Status, ["nonce"] = session.Nonce };
        if (session.Type == "CLIENT_CREDENTIALS")
        {
            json["clientId"] = session.ClientId;
        }

        await CdfJson.WriteItemsAsync(context, 200, [json]);
    }

    private async Task ListAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, "sessionsAcl:LIST");
        var query = context.Request.Query;
        var status = query["status"].ToString() is { Length: > 0 } s ? s : null;
        var (page, next) = sessions.List(project, status, query["cursor"].ToString(), Paging.Limit(query["limit"].ToString()));
        await CdfJson.WriteItemsAsync(context, 200, page.Select(ToJson), next);
    }

    private async Task ByIdsAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, "sessionsAcl:LIST");
        var found = sessions.Resolve(project, await SessionIdsAsync(context));
        await CdfJson.WriteItemsAsync(context, 200, found.Select(ToJson));
    }

    private async Task RevokeAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, "sessionsAcl:DELETE");
        var revoked = sessions.Revoke(project, await SessionIdsAsync(context));
        await CdfJson.WriteItemsAsync(context, 200, revoked.Select(ToJson));
    }

    private static async Task<List<long>> SessionIdsAsync(HttpContext context)
    {
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var items = RequestBody.OptionalArray(body, "items") ?? throw CdfApiException.BadRequest("items may not be null.");
        if (items.Count < 1 || items.Count > 1000)
        {
            throw CdfApiException.BadRequest("items size must be between 1 and 1000.");
        }

        return items.Select(i =>
        {
            var identifier = RequestBody.Identifier(i, "items");
            return identifier.Id ?? throw CdfApiException.BadRequest("Sessions are identified by id only.");
        }).ToList();
    }

    private static JsonNode ToJson(Session session)
    {
        var json = new JsonObject
        {
            ["id"] = session.Id,
            ["type"] = session.Type,
            ["status"] = session.Status,
            ["creationTime"] = session.CreationTime,
            ["expirationTime"] = session.ExpirationTime,
        };
        if (session.ClientId is not null && session.Type == "CLIENT_CREDENTIALS")
        {
            json["clientId"] = session.ClientId;
        }

        return json;
    }
}
