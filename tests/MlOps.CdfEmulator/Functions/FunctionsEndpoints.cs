using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>Functions and their calls under <c>/api/v1/projects/{project}/functions</c>.</summary>
internal sealed class FunctionsEndpoints(ApiAuthorization auth, FunctionStore functions, SessionStore sessions, CdfIds ids,
    EmulatorClock clock, CdfEmulatorOptions options)
{
    private const string Read = "functionsAcl:READ";
    private const string Write = "functionsAcl:WRITE";
    private const string Run = "functionsAcl:RUN";
    private const int MaxByIds = 1000;

    public void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/projects/{project}/functions");
        api.MapPost("", CreateAsync);
        api.MapGet("", ListByQueryAsync);
        api.MapPost("/list", ListAsync);
        api.MapPost("/byids", ByIdsAsync);
        api.MapPost("/delete", DeleteAsync);
        api.MapGet("/limits", LimitsAsync);
        api.MapGet("/status", StatusAsync);
        api.MapPost("/status", StatusAsync);
        api.MapGet("/{id}", GetAsync);
        api.MapPost("/{id}/call", CallAsync);
        api.MapPost("/{id}/calls/list", ListCallsAsync);
        api.MapPost("/{id}/calls/byids", CallsByIdsAsync);
        api.MapGet("/{id}/calls/{callId}", GetCallAsync);
        api.MapGet("/{id}/calls/{callId}/response", CallResponseAsync);
        api.MapGet("/{id}/calls/{callId}/logs", CallLogsAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var items = RequestBody.OptionalArray(body, "items") ?? throw CdfApiException.BadRequest("items may not be null.");
        if (items.Count != 1 || items[0] is not JsonObject item)
        {
            throw CdfApiException.BadRequest("items must contain exactly one function to create.");
        }

        RequestBody.AllowOnly(item, "the function", "name", "fileId", "externalId", "functionPath", "description", "owner", "metadata",
            "secrets", "envVars", "cpu", "memory", "runtime", "indexUrl", "extraIndexUrls");
        var functionPath = RequestBody.OptionalString(item, "functionPath", 500) ?? "handler.py";
        FunctionLimits.CheckFunctionPath(functionPath);
        var metadata = RequestBody.OptionalStringMap(item, "metadata");
        FunctionLimits.CheckMetadata(metadata);
        var secrets = RequestBody.OptionalStringMap(item, "secrets");
        FunctionLimits.CheckSecrets(secrets);
        var envVars = RequestBody.OptionalStringMap(item, "envVars");
        FunctionLimits.CheckEnvVars(envVars);
        var runtime = RequestBody.OptionalString(item, "runtime") ?? FunctionLimits.DefaultRuntime;
        if (!FunctionLimits.Runtimes.Contains(runtime))
        {
            throw CdfApiException.BadRequest($"runtime must be one of {string.Join(", ", FunctionLimits.Runtimes)} (was '{runtime}').");
        }

        RequestBody.OptionalString(item, "indexUrl");
        foreach (var url in RequestBody.OptionalArray(item, "extraIndexUrls") ?? [])
        {
            if (url is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                throw CdfApiException.BadRequest("extraIndexUrls must be an array of strings.");
            }
        }

        var function = new CdfFunction
        {
            Project = project,
            Id = ids.Next(),
            Name = RequestBody.RequiredString(item, "name", FunctionLimits.MaxNameLength),
            FileId = RequestBody.OptionalLong(item, "fileId", 1, CdfIds.MaxId) ?? throw CdfApiException.BadRequest("fileId may not be null."),
            ExternalId = RequestBody.OptionalString(item, "externalId", FunctionLimits.MaxExternalIdLength),
            FunctionPath = functionPath,
            Description = RequestBody.OptionalString(item, "description", FunctionLimits.MaxDescriptionLength),
            Owner = RequestBody.OptionalString(item, "owner", FunctionLimits.MaxOwnerLength),
            Metadata = metadata,
            Secrets = secrets,
            EnvVars = envVars,
            Cpu = Number(item, "cpu", FunctionLimits.CpuMin, FunctionLimits.CpuMax) ?? FunctionLimits.CpuDefault,
            Memory = Number(item, "memory", FunctionLimits.MemoryMin, FunctionLimits.MemoryMax) ?? FunctionLimits.MemoryDefault,
            Runtime = runtime,
            CreatedTime = clock.NowMs,
        };
        var created = functions.Create(function);
        await CdfJson.WriteItemsAsync(context, 201, [FunctionJson.From(created)]);
    }

    private async Task ListAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "filter", "limit");
        var filter = Filter(RequestBody.OptionalObject(body, "filter"));
        var found = functions.List(project, filter, Paging.Limit(body["limit"], 10000));
        await CdfJson.WriteItemsAsync(context, 200, found.Select(f => (JsonNode)FunctionJson.From(f)));
    }

    private async Task ListByQueryAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var found = functions.List(project, _ => true, Paging.Limit(context.Request.Query["limit"].ToString(), 10000));
        await CdfJson.WriteItemsAsync(context, 200, found.Select(f => (JsonNode)FunctionJson.From(f)));
    }

    private async Task ByIdsAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items", "ignoreUnknownIds");
        var ignoreUnknownIds = RequestBody.OptionalBool(body, "ignoreUnknownIds") ?? false;
        var found = functions.Resolve(project, RequestBody.Identifiers(body, MaxByIds), ignoreUnknownIds);
        await CdfJson.WriteItemsAsync(context, 200, found.Select(f => (JsonNode)FunctionJson.From(f)));
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items", "ignoreUnknownIds");
        var ignoreUnknownIds = RequestBody.OptionalBool(body, "ignoreUnknownIds") ?? false;
        functions.Delete(project, RequestBody.Identifiers(body, MaxByIds), ignoreUnknownIds);
        await CdfJson.WriteAsync(context, 200, new JsonObject());
    }

    private async Task GetAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var id = RouteId(context, "id");
        var function = functions.Find(project, id) ?? throw new CdfApiException(404, "Function not found", missing: [ResourceIdentifier.ById(id)]);
        await CdfJson.WriteAsync(context, 200, FunctionJson.From(function));
    }

    private async Task LimitsAsync(HttpContext context)
    {
        auth.Require(context, Read);
        await CdfJson.WriteAsync(context, 200, new JsonObject
        {
            ["timeoutMinutes"] = Math.Max(1, (int)Math.Ceiling(options.FunctionCallTimeout.TotalMinutes)),
            ["cpuCores"] = new JsonObject { ["min"] = FunctionLimits.CpuMin, ["max"] = FunctionLimits.CpuMax, ["default"] = FunctionLimits.CpuDefault },
            ["memoryGb"] = new JsonObject { ["min"] = FunctionLimits.MemoryMin, ["max"] = FunctionLimits.MemoryMax, ["default"] = FunctionLimits.MemoryDefault },
            ["runtimes"] = new JsonArray(FunctionLimits.Runtimes.Select(r => (JsonNode)r).ToArray()),
            ["responseSizeMb"] = Math.Max(1, (int)Math.Ceiling(options.FunctionResponseSizeLimit / (1024.0 * 1024.0))),
        });
    }

    private async Task StatusAsync(HttpContext context)
    {
        auth.Require(context, HttpMethods.IsGet(context.Request.Method) ? Read : Write);
        await CdfJson.WriteAsync(context, 200, new JsonObject { ["status"] = "activated" });
    }

    private async Task CallAsync(HttpContext context)
    {
        var (project, caller) = auth.RequireAny(context, Run, Write);
        var id = RouteId(context, "id");
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "data", "nonce");
        var nonce = RequestBody.OptionalString(body, "nonce");
        var data = body["data"];
        if (data is not null and not JsonObject)
        {
            throw CdfApiException.BadRequest("data must be an object.");
        }

        var dataBytes = data is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(data.ToJsonString());
        if (dataBytes > options.FunctionCallDataLimit)
        {
            throw new CdfApiException(413, $"The function call data payload is {dataBytes} bytes; the limit is {options.FunctionCallDataLimit} bytes.");
        }

        var function = functions.Find(project, id) ?? throw new CdfApiException(400, "Function not found", missing: [ResourceIdentifier.ById(id)]);
        if (function.Status != "Ready")
        {
            throw CdfApiException.BadRequest($"Function {id} is not ready (status {function.Status}); it can only be called when Ready.");
        }

        long? sessionId = null;
        if (nonce is null)
        {
            // The legacy API-key flow had no sessions; OIDC callers must bring a nonce.
            if (!caller.IsApiKey)
            {
                throw CdfApiException.BadRequest("nonce is required: create a session (POST /sessions) right before the call.");
            }
        }
        else
        {
            var check = sessions.ConsumeNonce(project, nonce);
            if (!check.IsValid)
            {
                throw new CdfApiException(check.Status == NonceStatus.Unknown ? 400 : 401, check.Message);
            }

            sessionId = check.Session!.Id;
        }

        var call = functions.StartCall(project, id, data?.ToJsonString(), sessionId);
        await CdfJson.WriteAsync(context, 201, FunctionJson.From(call));
    }

    private async Task ListCallsAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var id = RouteId(context, "id");
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "filter", "limit", "cursor");
        var filter = RequestBody.OptionalObject(body, "filter");
        Func<FunctionCall, bool> keep = _ => true;
        if (filter is not null)
        {
            RequestBody.AllowOnly(filter, "the filter", "status", "scheduleId", "startTime", "endTime");
            var status = RequestBody.OptionalString(filter, "status");
            var scheduleId = RequestBody.OptionalLong(filter, "scheduleId", 1, CdfIds.MaxId);
            var start = Range(filter, "startTime");
            var end = Range(filter, "endTime");
            keep = c => (status is null || string.Equals(c.Status, status, StringComparison.OrdinalIgnoreCase))
                && (scheduleId is null || c.ScheduleId == scheduleId)
                && start(c.StartTime) && end(c.EndTime);
        }

        var (page, next) = functions.ListCalls(project, id, keep, RequestBody.OptionalString(body, "cursor"), Paging.Limit(body["limit"], 10000));
        await CdfJson.WriteItemsAsync(context, 200, page.Select(c => (JsonNode)FunctionJson.From(c)), next);
    }

    private async Task CallsByIdsAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var id = RouteId(context, "id");
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var callIds = RequestBody.Identifiers(body, MaxByIds)
            .Select(i => i.Id ?? throw CdfApiException.BadRequest("Function calls are identified by id only.")).ToList();
        var found = functions.ResolveCalls(project, id, callIds);
        await CdfJson.WriteItemsAsync(context, 200, found.Select(c => (JsonNode)FunctionJson.From(c)));
    }

    private async Task GetCallAsync(HttpContext context)
    {
        var call = FindCall(context);
        await CdfJson.WriteAsync(context, 200, FunctionJson.From(call));
    }

    private async Task CallResponseAsync(HttpContext context)
    {
        var call = FindCall(context);
        await CdfJson.WriteAsync(context, 200, new JsonObject
        {
            ["callId"] = call.Id,
            ["functionId"] = call.FunctionId,
            ["response"] = call.ResponseJson is null ? null : JsonNode.Parse(call.ResponseJson),
        });
    }

    private async Task CallLogsAsync(HttpContext context)
    {
        var call = FindCall(context);
        await CdfJson.WriteItemsAsync(context, 200,
            call.Logs.Select(l => (JsonNode)new JsonObject { ["timestamp"] = l.Timestamp, ["message"] = l.Message }));
    }

    private FunctionCall FindCall(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var id = RouteId(context, "id");
        var callId = RouteId(context, "callId");
        return functions.ResolveCalls(project, id, [callId])[0];
    }

    private static Func<CdfFunction, bool> Filter(JsonObject? filter)
    {
        if (filter is null)
        {
            return _ => true;
        }

        RequestBody.AllowOnly(filter, "the filter", "name", "owner", "fileId", "status", "externalIdPrefix", "createdTime", "metadata");
        var name = RequestBody.OptionalString(filter, "name");
        var owner = RequestBody.OptionalString(filter, "owner");
        var fileId = RequestBody.OptionalLong(filter, "fileId", 1, CdfIds.MaxId);
        var status = RequestBody.OptionalString(filter, "status");
        var prefix = RequestBody.OptionalString(filter, "externalIdPrefix");
        var created = Range(filter, "createdTime");
        var metadata = RequestBody.OptionalStringMap(filter, "metadata");
        return f => (name is null || f.Name == name)
            && (owner is null || f.Owner == owner)
            && (fileId is null || f.FileId == fileId)
            && (status is null || string.Equals(f.Status, status, StringComparison.OrdinalIgnoreCase))
            && (prefix is null || (f.ExternalId?.StartsWith(prefix, StringComparison.Ordinal) ?? false))
            && created(f.CreatedTime)
            && (metadata is null || metadata.All(p => f.Metadata is not null && f.Metadata.TryGetValue(p.Key, out var v) && v == p.Value));
    }

    private static Func<long?, bool> Range(JsonObject filter, string name)
    {
        var range = RequestBody.OptionalObject(filter, name);
        if (range is null)
        {
            return _ => true;
        }

        RequestBody.AllowOnly(range, name, "min", "max");
        var min = RequestBody.OptionalLong(range, "min");
        var max = RequestBody.OptionalLong(range, "max");
        return t => t is long v && (min is null || v >= min) && (max is null || v <= max);
    }

    private static double? Number(JsonObject obj, string name, double min, double max)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<double>(out var number))
        {
            throw CdfApiException.BadRequest($"{name} must be a number.");
        }

        if (number < min || number > max)
        {
            throw CdfApiException.BadRequest($"{name} must be between {min} and {max} (was {number}).");
        }

        return number;
    }

    internal static long RouteId(HttpContext context, string name)
    {
        if (!long.TryParse(context.Request.RouteValues[name] as string, out var id) || id < 1)
        {
            throw CdfApiException.BadRequest($"The {name} in the path must be a positive integer.");
        }

        return id;
    }
}
