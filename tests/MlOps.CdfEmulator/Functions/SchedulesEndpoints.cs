using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>Function schedules under <c>/api/v1/projects/{project}/functions/schedules</c>. They do not fire on a timer; tests use <see cref="FunctionStore.TriggerSchedule"/>.</summary>
internal sealed class SchedulesEndpoints(ApiAuthorization auth, FunctionStore functions, SessionStore sessions, CdfIds ids, EmulatorClock clock)
{
    private const string Read = "functionsAcl:READ";
    private const string Write = "functionsAcl:WRITE";
    private const int MaxItems = 100;

    public void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/projects/{project}/functions/schedules");
        api.MapPost("", CreateAsync);
        api.MapGet("", ListByQueryAsync);
        api.MapPost("/list", ListAsync);
        api.MapPost("/byids", ByIdsAsync);
        api.MapPost("/delete", DeleteAsync);
        api.MapGet("/{id}/input_data", InputDataAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        var items = RequestBody.OptionalArray(body, "items") ?? throw CdfApiException.BadRequest("items may not be null.");
        if (items.Count < 1 || items.Count > MaxItems)
        {
            throw CdfApiException.BadRequest($"items size must be between 1 and {MaxItems}.");
        }

        // Check every item before any nonce is spent, so a bad request leaves the nonces usable.
        var parsed = items.Select(node =>
        {
            if (node is not JsonObject item)
            {
                throw CdfApiException.BadRequest("Each schedule must be an object.");
            }

            RequestBody.AllowOnly(item, "the schedule", "name", "cronExpression", "functionId", "functionExternalId", "nonce", "description", "data");
            var name = RequestBody.RequiredString(item, "name", 140);
            var cron = RequestBody.RequiredString(item, "cronExpression", 1024);
            if (CronExpression.Problem(cron) is { } problem)
            {
                throw CdfApiException.BadRequest(problem);
            }

            var functionId = RequestBody.OptionalLong(item, "functionId", 1, CdfIds.MaxId);
            var functionExternalId = RequestBody.OptionalString(item, "functionExternalId", 255);
            var target = functionId is long fid ? ResourceIdentifier.ById(fid)
                : functionExternalId is not null ? ResourceIdentifier.ByExternalId(functionExternalId)
                : throw CdfApiException.BadRequest("functionId is required.");
            var function = functions.Resolve(project, [target], ignoreUnknownIds: false)[0];
            var nonce = RequestBody.RequiredString(item, "nonce");
            var data = item["data"];
            if (data is not null and not JsonObject)
            {
                throw CdfApiException.BadRequest("data must be an object.");
            }

            return (Name: name, Cron: cron, Function: function, Nonce: nonce, Description: RequestBody.OptionalString(item, "description", 500),
                Data: data?.ToJsonString());
        }).ToList();

        var created = new List<JsonNode>();
        foreach (var item in parsed)
        {
            var check = sessions.ConsumeNonce(project, item.Nonce);
            if (!check.IsValid)
            {
                throw new CdfApiException(check.Status == NonceStatus.Unknown ? 400 : 401, check.Message);
            }

            var schedule = functions.CreateSchedule(new FunctionSchedule
            {
                Project = project,
                Id = ids.Next(),
                Name = item.Name,
                CronExpression = item.Cron,
                FunctionId = item.Function.Id,
                FunctionExternalId = item.Function.ExternalId,
                Description = item.Description,
                DataJson = item.Data,
                SessionId = check.Session!.Id,
                CreatedTime = clock.NowMs,
            });
            created.Add(FunctionJson.From(schedule));
        }

        await CdfJson.WriteItemsAsync(context, 201, created);
    }

    private async Task ListAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "filter", "limit");
        Func<FunctionSchedule, bool> keep = _ => true;
        if (RequestBody.OptionalObject(body, "filter") is { } filter)
        {
            RequestBody.AllowOnly(filter, "the filter", "name", "functionId", "functionExternalId", "cronExpression", "createdTime");
            var name = RequestBody.OptionalString(filter, "name");
            var functionId = RequestBody.OptionalLong(filter, "functionId", 1, CdfIds.MaxId);
            var functionExternalId = RequestBody.OptionalString(filter, "functionExternalId");
            var cron = RequestBody.OptionalString(filter, "cronExpression");
            var created = RequestBody.OptionalObject(filter, "createdTime");
            var min = created is null ? null : RequestBody.OptionalLong(created, "min");
            var max = created is null ? null : RequestBody.OptionalLong(created, "max");
            keep = s => (name is null || s.Name == name)
                && (functionId is null || s.FunctionId == functionId)
                && (functionExternalId is null || s.FunctionExternalId == functionExternalId)
                && (cron is null || s.CronExpression == cron)
                && (min is null || s.CreatedTime >= min) && (max is null || s.CreatedTime <= max);
        }

        var found = functions.ListSchedules(project, keep, Paging.Limit(body["limit"], 10000));
        await CdfJson.WriteItemsAsync(context, 200, found.Select(s => (JsonNode)FunctionJson.From(s)));
    }

    private async Task ListByQueryAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var found = functions.ListSchedules(project, _ => true, Paging.Limit(context.Request.Query["limit"].ToString(), 10000));
        await CdfJson.WriteItemsAsync(context, 200, found.Select(s => (JsonNode)FunctionJson.From(s)));
    }

    private async Task ByIdsAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items", "ignoreUnknownIds");
        var ignoreUnknownIds = RequestBody.OptionalBool(body, "ignoreUnknownIds") ?? false;
        var found = functions.ResolveSchedules(project, ScheduleIds(body), ignoreUnknownIds);
        await CdfJson.WriteItemsAsync(context, 200, found.Select(s => (JsonNode)FunctionJson.From(s)));
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Write);
        var body = await RequestBody.ReadObjectAsync(context);
        RequestBody.AllowOnly(body, "the request", "items");
        functions.DeleteSchedules(project, ScheduleIds(body));
        await CdfJson.WriteAsync(context, 200, new JsonObject());
    }

    private async Task InputDataAsync(HttpContext context)
    {
        var (project, _) = auth.Require(context, Read);
        var id = FunctionsEndpoints.RouteId(context, "id");
        var schedule = functions.ResolveSchedules(project, [id], ignoreUnknownIds: false)[0];
        await CdfJson.WriteAsync(context, 200, new JsonObject
        {
            ["id"] = schedule.Id,
            ["data"] = schedule.DataJson is null ? null : JsonNode.Parse(schedule.DataJson),
        });
    }

    private static List<long> ScheduleIds(JsonObject body) =>
        RequestBody.Identifiers(body, 1000).Select(i => i.Id ?? throw CdfApiException.BadRequest("Schedules are identified by id only.")).ToList();
}
