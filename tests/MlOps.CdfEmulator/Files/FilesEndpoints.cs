using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>The Files API under <c>/api/v1/projects/{project}/files</c>.</summary>
internal sealed class FilesEndpoints(ApiAuthorization auth, FileStore files, EmulatorClock clock, DataSetStore dataSets)
{
    private const string Read = "filesAcl:READ";
    private const string Write = "filesAcl:WRITE";
    private const int MaxParts = 250;

    public void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/projects/{project}/files");
        api.MapPost("", CreateAsync);
        api.MapGet("", ListByQueryAsync);
        api.MapPost("/list", ListAsync);
        api.MapPost("/byids", ByIdsAsync);
        api.MapGet("/{id}", GetAsync);
        api.MapPost("/downloadlink", DownloadLinkAsync);
        api.MapPost("/uploadlink", UploadLinkAsync);
        api.MapPost("/delete", DeleteAsync);
        api.MapPost("/update", UpdateAsync);
        api.MapPost("/initmultipartupload", InitMultipartAsync);
        api.MapPost("/multiuploadlink", MultiUploadLinkAsync);
        api.MapPost("/completemultipartupload", CompleteMultipartAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var overwrite = RequestBody.QueryBool(context, "overwrite");
        var fields = FileFields.Parse(await RequestBody.ReadObjectAsync(context));
        var file = files.Create(project, fields, overwrite);
        var json = FileJson.From(file, clock.NowMs);
        json["uploadUrl"] = files.NewUploadUrl(file);
        await CdfJson.WriteAsync(context, 201, json);
    }

    private async Task InitMultipartAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var overwrite = RequestBody.QueryBool(context, "overwrite");
        var parts = Parts(context);
        var fields = FileFields.Parse(await RequestBody.ReadObjectAsync(context));
        var file = files.Create(project, fields, overwrite, parts);
        await CdfJson.WriteAsync(context, 201, WithPartUrls(file));
    }

    private async Task MultiUploadLinkAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var parts = Parts(context);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var targets = files.Resolve(project, RequestBody.Identifiers(body, 1), ignoreUnknownIds: false);
        var file = files.RestartMultipart(project, targets[0].Id, parts);
        await CdfJson.WriteItemsAsync(context, 200, [WithPartUrls(file)]);
    }

    private async Task CompleteMultipartAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var body = await RequestBody.ReadObjectAsync(context);
        var uploadId = RequestBody.RequiredString(body, "uploadId");
        body.Remove("uploadId");
        var target = RequestBody.Identifier(body, "the request");
        await files.CompleteMultipartAsync(project, target, uploadId, context.RequestAborted);
        await CdfJson.WriteAsync(context, 200, new JsonObject());
    }

    private async Task UploadLinkAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var targets = files.Resolve(project, RequestBody.Identifiers(body, FileLimits.MaxItems), ignoreUnknownIds: false);
        var now = clock.NowMs;
        await CdfJson.WriteItemsAsync(context, 200, targets.Select(f =>
        {
            var json = FileJson.From(f, now);
            json["uploadUrl"] = files.NewUploadUrl(f);
            return (JsonNode)json;
        }));
    }

    private async Task ListAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "filter", "limit", "cursor", "partition");
        var now = clock.NowMs;
        var filter = FileFilter.Parse(RequestBody.OptionalObject(body, "filter"), now, identifiers => dataSets.Ids(project, identifiers));
        var partition = Partition(RequestBody.OptionalString(body, "partition"));
        var (page, next) = files.List(project, f => filter(f) && partition(f), RequestBody.OptionalString(body, "cursor"),
            Paging.Limit(body["limit"]));
        await CdfJson.WriteItemsAsync(context, 200, page.Select(f => (JsonNode)FileJson.From(f, now)), next);
    }

    private async Task ListByQueryAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var query = context.Request.Query;
        var now = clock.NowMs;
        var partition = Partition(query["partition"].ToString() is { Length: > 0 } p ? p : null);
        var (page, next) = files.List(project, partition, query["cursor"].ToString(), Paging.Limit(query["limit"].ToString()));
        await CdfJson.WriteItemsAsync(context, 200, page.Select(f => (JsonNode)FileJson.From(f, now)), next);
    }

    private async Task ByIdsAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items", "ignoreUnknownIds");
        var ignoreUnknownIds = RequestBody.OptionalBool(body, "ignoreUnknownIds") ?? false;
        var found = files.Resolve(project, RequestBody.Identifiers(body, FileLimits.MaxItems), ignoreUnknownIds);
        var now = clock.NowMs;
        await CdfJson.WriteItemsAsync(context, 200, found.Select(f => (JsonNode)FileJson.From(f, now)));
    }

    private async Task GetAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        if (!long.TryParse(context.Request.RouteValues["id"] as string, out var id) || id < 1)
        {
            throw CdfApiException.BadRequest("The file id must be a positive integer.");
        }

        var file = files.Find(project, id) ?? throw new CdfApiException(400, "Files not found", missing: [ResourceIdentifier.ById(id)]);
        await CdfJson.WriteAsync(context, 200, FileJson.From(file, clock.NowMs));
    }

    private async Task DownloadLinkAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var extended = RequestBody.QueryBool(context, "extendedExpiration");
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var identifiers = RequestBody.Identifiers(body, FileLimits.MaxItems);
        var found = files.Resolve(project, identifiers, ignoreUnknownIds: false);
        var now = clock.NowMs;
        var notUploaded = identifiers.Where((_, i) => !found[i].IsUploadedAt(now)).ToList();
        if (notUploaded.Count > 0)
        {
            throw CdfApiException.BadRequest($"Files not uploaded: {string.Join(", ", notUploaded)}. Upload the content before asking for a download link.");
        }

        await CdfJson.WriteItemsAsync(context, 200, identifiers.Select((identifier, i) =>
        {
            var json = identifier.ToJson();
            json["downloadUrl"] = files.NewDownloadUrl(found[i], extended);
            return (JsonNode)json;
        }));
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items", "ignoreUnknownIds");
        var ignoreUnknownIds = RequestBody.OptionalBool(body, "ignoreUnknownIds") ?? false;
        files.Delete(project, RequestBody.Identifiers(body, FileLimits.MaxItems), ignoreUnknownIds);
        await CdfJson.WriteAsync(context, 200, new JsonObject());
    }

    private async Task UpdateAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var items = RequestBody.OptionalArray(body, "items") ?? throw CdfApiException.BadRequest("items may not be null.");
        if (items.Count < 1 || items.Count > FileLimits.MaxItems)
        {
            throw CdfApiException.BadRequest($"items size must be between 1 and {FileLimits.MaxItems}.");
        }

        var updates = items.Select(item =>
        {
            var target = RequestBody.Identifier(item, "items", "update");
            var update = RequestBody.OptionalObject((JsonObject)item!, "update") ?? throw CdfApiException.BadRequest("update may not be null.");
            return (target, FileUpdate.Parse(update));
        }).ToList();
        var updated = files.Update(project, updates);
        var now = clock.NowMs;
        await CdfJson.WriteItemsAsync(context, 200, updated.Select(f => (JsonNode)FileJson.From(f, now)));
    }

    private JsonObject WithPartUrls(StoredFile file)
    {
        var json = FileJson.From(file, clock.NowMs);
        var upload = file.Multipart!;
        json["uploadId"] = upload.UploadId;
        json["uploadUrls"] = new JsonArray(Enumerable.Range(0, upload.PartPaths.Length)
            .Select(i => (JsonNode)files.NewUploadUrl(file, upload.UploadId, i)).ToArray());
        return json;
    }

    private static int Parts(HttpContext context)
    {
        var text = context.Request.Query["parts"].ToString();
        if (!int.TryParse(text, out var parts) || parts < 1 || parts > MaxParts)
        {
            throw CdfApiException.BadRequest($"Query parameter parts is required and must be between 1 and {MaxParts}.");
        }

        return parts;
    }

    /// <summary>Partition <c>m/n</c> keeps the files whose id falls in slice m of n, so n parallel readers together see each file once.</summary>
    private static Func<StoredFile, bool> Partition(string? partition)
    {
        if (partition is null)
        {
            return _ => true;
        }

        var parts = partition.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var m) || !int.TryParse(parts[1], out var n) || n < 1 || n > 10 || m < 1 || m > n)
        {
            throw CdfApiException.BadRequest("partition must look like m/n with 1 <= m <= n <= 10.");
        }

        return f => f.Id % n == m - 1;
    }
}
