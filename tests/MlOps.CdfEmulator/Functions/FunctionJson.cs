using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>Functions, calls and schedules as the API returns them; secrets only ever as <c>***</c>.</summary>
internal static class FunctionJson
{
    public const string Mask = "***";

    public static JsonObject From(CdfFunction f)
    {
        var json = new JsonObject { ["id"] = f.Id };
        if (f.ExternalId is not null)
        {
            json["externalId"] = f.ExternalId;
        }

        json["name"] = f.Name;
        json["fileId"] = f.FileId;
        json["functionPath"] = f.FunctionPath;
        if (f.Description is not null)
        {
            json["description"] = f.Description;
        }

        if (f.Owner is not null)
        {
            json["owner"] = f.Owner;
        }

        json["status"] = f.Status;
        json["createdTime"] = f.CreatedTime;
        if (f.Secrets is not null)
        {
            json["secrets"] = new JsonObject(f.Secrets.Keys.Select(k => KeyValuePair.Create(k, (JsonNode?)Mask)));
        }

        if (f.EnvVars is not null)
        {
            json["envVars"] = Map(f.EnvVars);
        }

        json["cpu"] = f.Cpu;
        json["memory"] = f.Memory;
        json["runtime"] = f.Runtime;
        json["runtimeVersion"] = "Python " + f.Runtime[2] + "." + f.Runtime[3..];
        if (f.Metadata is not null)
        {
            json["metadata"] = Map(f.Metadata);
        }

        if (f.Error is not null)
        {
            json["error"] = Error(f.Error);
        }

        if (f.LastCalled is long lastCalled)
        {
            json["lastCalled"] = lastCalled;
        }

        return json;
    }

    public static JsonObject From(FunctionCall c)
    {
        var json = new JsonObject { ["id"] = c.Id, ["functionId"] = c.FunctionId, ["status"] = c.Status, ["startTime"] = c.StartTime };
        if (c.EndTime is long end)
        {
            json["endTime"] = end;
        }

        if (c.Error is not null)
        {
            json["error"] = Error(c.Error);
        }

        if (c.ScheduleId is long scheduleId)
        {
            json["scheduleId"] = scheduleId;
            json["scheduledTime"] = c.ScheduledTime;
        }

        return json;
    }

    public static JsonObject From(FunctionSchedule s)
    {
        var json = new JsonObject
        {
            ["id"] = s.Id,
            ["name"] = s.Name,
            ["createdTime"] = s.CreatedTime,
            ["cronExpression"] = s.CronExpression,
            ["when"] = "Cron: " + s.CronExpression,
            ["sessionId"] = s.SessionId,
            ["functionId"] = s.FunctionId,
        };
        if (s.FunctionExternalId is not null)
        {
            json["functionExternalId"] = s.FunctionExternalId;
        }

        if (s.Description is not null)
        {
            json["description"] = s.Description;
        }

        return json;
    }

    private static JsonObject Error(FunctionError e)
    {
        var json = new JsonObject();
        if (e.Code is int code)
        {
            json["code"] = code;
        }

        json["message"] = e.Message;
        json["trace"] = e.Trace ?? "";
        return json;
    }

    private static JsonObject Map(IReadOnlyDictionary<string, string> map) =>
        new(map.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
}
