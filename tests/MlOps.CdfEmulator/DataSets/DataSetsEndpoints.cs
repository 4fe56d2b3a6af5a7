using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>
/// The Data Sets API under <c>/api/v1/projects/{project}/datasets</c>: create, retrieve by ids or external ids (with
/// <c>ignoreUnknownIds</c>), and list with a filter (<c>externalIdPrefix</c>, <c>writeProtected</c>, <c>metadata</c>) and
/// cursors, as Cognite documents them. Capabilities: <c>datasetsAcl:READ</c>, and <c>datasetsAcl:OWNER</c> to create.
/// </summary>
internal sealed class DataSetsEndpoints(ApiAuthorization auth, DataSetStore dataSets)
{
    private const string Read = "datasetsAcl:READ";
    private const string Owner = "datasetsAcl:OWNER";

    public void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/projects/{project}/datasets");
        api.MapPost("", CreateAsync);
        api.MapPost("/byids", ByIdsAsync);
        api.MapPost("/list", ListAsync);
        api.MapGet("", ListByQueryAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Owner);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var items = RequestBody.OptionalArray(body, "items") ?? throw CdfApiException.BadRequest("items may not be null.");
        if (items.Count < 1 || items.Count > 10)
        {
            throw CdfApiException.BadRequest("items size must be between 1 and 10.");
        }

        var parsed = items.Select(node =>
        {
            if (node is not JsonObject item)
            {
                throw CdfApiException.BadRequest("Each item must be an object.");
            }

            RequestBody.AllowOnly(item, "the data set", "externalId", "name", "description", "metadata", "writeProtected");
            return new DataSet
            {
                Id = 0,
                ExternalId = RequestBody.OptionalString(item, "externalId", 255),
                Name = RequestBody.OptionalString(item, "name", 50),
                Description = RequestBody.OptionalString(item, "description", 500),
                Metadata = RequestBody.OptionalStringMap(item, "metadata"),
                WriteProtected = RequestBody.OptionalBool(item, "writeProtected") == true,
            };
        }).ToList();
        await CdfJson.WriteItemsAsync(context, 201, dataSets.Create(project, parsed).Select(ToJson));
    }

    private async Task ByIdsAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items", "ignoreUnknownIds");
        var found = dataSets.Resolve(project, RequestBody.Identifiers(body, 1000), RequestBody.OptionalBool(body, "ignoreUnknownIds") == true);
        await CdfJson.WriteItemsAsync(context, 200, found.Select(ToJson));
    }

    private async Task ListAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "filter", "limit", "cursor");
        var filter = RequestBody.OptionalObject(body, "filter") ?? new JsonObject();
        RequestBody.AllowOnly(filter, "filter", "externalIdPrefix", "writeProtected", "metadata", "createdTime", "lastUpdatedTime");
        var prefix = RequestBody.OptionalString(filter, "externalIdPrefix");
        var writeProtected = RequestBody.OptionalBool(filter, "writeProtected");
        var metadata = RequestBody.OptionalStringMap(filter, "metadata");
        var matching = dataSets.List(project, d =>
            (prefix is null || d.ExternalId?.StartsWith(prefix, StringComparison.Ordinal) == true)
            && (writeProtected is null || d.WriteProtected == writeProtected)
            && (metadata is null || metadata.All(p => d.Metadata?.TryGetValue(p.Key, out var v) == true && v == p.Value)));
        var (page, next) = Paging.Page(matching, d => d.Id, "datasets", RequestBody.OptionalString(body, "cursor"), Paging.Limit(body["limit"]), 1000);
        await CdfJson.WriteItemsAsync(context, 200, page.Select(ToJson), next);
    }

    private async Task ListByQueryAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var query = context.Request.Query;
        var (page, next) = Paging.Page(dataSets.List(project, _ => true), d => d.Id, "datasets", query["cursor"].ToString(),
            Paging.Limit(query["limit"].ToString()), 1000);
        await CdfJson.WriteItemsAsync(context, 200, page.Select(ToJson), next);
    }

    private static JsonNode ToJson(DataSet dataSet)
    {
        var json = new JsonObject { ["id"] = dataSet.Id };
        if (dataSet.ExternalId is not null)
        {
            json["externalId"] = dataSet.ExternalId;
        }

        if (dataSet.Name is not null)
        {
            json["name"] = dataSet.Name;
        }

        if (dataSet.Description is not null)
        {
            json["description"] = dataSet.Description;
        }

        json["metadata"] = new JsonObject((dataSet.Metadata ?? new Dictionary<string, string>()).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        json["writeProtected"] = dataSet.WriteProtected;
        json["createdTime"] = dataSet.CreatedTime;
        json["lastUpdatedTime"] = dataSet.LastUpdatedTime;
        return json;
    }
}
