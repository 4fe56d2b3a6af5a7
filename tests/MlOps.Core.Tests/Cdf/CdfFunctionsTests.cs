using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.Cdf;
using MlOps.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests.Cdf;

/// <summary>Functions are not in the emulator yet, so these check request shapes against a recording handler.</summary>
public class CdfFunctionsTests
{
    private const string Api = "/api/v1/projects/p";

    private static (CdfClient Client, RecordingHandler Handler) Start(Func<string, string, string?, (HttpStatusCode, string)> answer)
    {
        var handler = new RecordingHandler((request, body) => request.RequestUri!.AbsolutePath == "/token"
            ? (HttpStatusCode.OK, """{"access_token":"tok-123456","expires_in":3600,"token_type":"Bearer"}""")
            : answer(request.Method.Method, request.RequestUri.AbsolutePath[Api.Length..], body));
        var client = new CdfClient(new CdfClientOptions
        {
            BaseUrl = "https://cluster.example",
            Project = "p",
            Credentials = CdfCredentials.ClientCredentials("https://idp.example/token", "app", "fn-secret-value"),
            Retry = new CdfRetryOptions { DelayScale = 0.001 },
        }, handler);
        return (client, handler);
    }

    [Fact]
    public async Task Create_sends_one_item_and_reads_the_function()
    {
        var (client, handler) = Start((_, _, _) => (HttpStatusCode.Created,
            """{"items":[{"id":4294967297,"externalId":"diabetes-prediction-test","name":"diabetes-prediction-test","fileId":9,"status":"Queued","createdTime":1700000000000,"secrets":{"key":"***"}}]}"""));
        using var _ = client;

        var function = await client.Functions.CreateAsync(new FunctionCreate
        {
            Name = "diabetes-prediction-test", ExternalId = "diabetes-prediction-test", FileId = 9, FunctionPath = "handler.py",
            Secrets = new() { ["key"] = "model-secret-value" }, EnvVars = new() { ["MODEL"] = "diabetes" }, Runtime = "py311",
        });

        Assert.Equal(4294967297, function.Id);
        Assert.Equal("Queued", function.Status);
        var request = handler.Requests.Single(r => r.Path.EndsWith("/functions"));
        var item = Assert.Single(JsonNode.Parse(request.Body!)!["items"]!.AsArray())!;
        Assert.Equal(9, (long)item["fileId"]!);
        Assert.Equal("handler.py", (string)item["functionPath"]!);
        Assert.Equal("py311", (string)item["runtime"]!);
        Assert.Null(item["cpu"]);
    }

    [Fact]
    public async Task Call_sends_data_and_nonce_and_is_not_retried_after_503()
    {
        var calls = 0;
        var (client, handler) = Start((method, path, _) => path switch
        {
            "/functions/7/call" when ++calls == 1 => (HttpStatusCode.ServiceUnavailable, """{"error":{"code":503,"message":"busy"}}"""),
            "/functions/7/call" => (HttpStatusCode.Created, """{"id":11,"functionId":7,"status":"Running","startTime":1}"""),
            "/functions/7/calls/11" => (HttpStatusCode.OK, """{"id":11,"functionId":7,"status":"Failed","error":{"message":"boom","trace":"t"}}"""),
            "/functions/7/calls/11/response" => (HttpStatusCode.OK, """{"response":{"prediction":[1.5]}}"""),
            "/functions/7/calls/11/logs" => (HttpStatusCode.OK, """{"items":[{"timestamp":5,"message":"hello"}]}"""),
            _ => (HttpStatusCode.NotFound, """{"error":{"code":404,"message":"no"}}"""),
        });
        using var _ = client;

        var e = await Assert.ThrowsAsync<MlOpsException>(() => client.Functions.CallAsync(7, new { x = 1 }, "nonce-abcdef"));
        Assert.Equal(CdfErrorIds.CdfServiceUnavailable, e.ErrorId);
        Assert.Contains("req-", e.Message);
        Assert.DoesNotContain("nonce-abcdef", e.ToString());
        Assert.Single(handler.Requests, r => r.Path.EndsWith("/call"));

        var call = await client.Functions.CallAsync(7, new { x = 1 }, "nonce-abcdef");
        Assert.Equal("Running", call.Status);
        var body = JsonNode.Parse(handler.Requests.Last(r => r.Path.EndsWith("/call")).Body!)!;
        Assert.Equal(1, (int)body["data"]!["x"]!);
        Assert.Equal("nonce-abcdef", (string)body["nonce"]!);

        Assert.Equal("boom", (await client.Functions.GetCallAsync(7, 11)).ErrorMessage);
        Assert.Equal(1.5, (await client.Functions.GetCallResponseAsync(7, 11)).Response!.Value.GetProperty("prediction")[0].GetDouble());
        Assert.Equal("hello", (await client.Functions.GetCallLogsAsync(7, 11)).Single().Message);
    }

    [Fact]
    public async Task List_retrieve_delete_and_schedules_use_the_documented_paths()
    {
        var (client, handler) = Start((method, path, _) => path switch
        {
            "/functions/list" or "/functions/byids" => (HttpStatusCode.OK, """{"items":[{"id":1,"name":"f","fileId":2,"status":"Ready"}]}"""),
            "/functions/schedules" => (HttpStatusCode.Created, """{"items":[{"id":3,"name":"nightly","cronExpression":"0 0 * * *","functionId":1}]}"""),
            "/functions/schedules/list" => (HttpStatusCode.OK, """{"items":[{"id":3,"name":"nightly","cronExpression":"0 0 * * *","functionId":1}]}"""),
            _ => (HttpStatusCode.OK, "{}"),
        });
        using var _ = client;

        Assert.Single(await client.Functions.ListAsync(new FunctionFilter { ExternalIdPrefix = "diabetes-", Status = "Ready" }));
        Assert.Single(await client.Functions.RetrieveAsync([Identity.Create("f")], ignoreUnknownIds: true));
        await client.Functions.DeleteAsync([Identity.Create(1)]);
        var schedule = await client.Functions.CreateScheduleAsync(new FunctionScheduleCreate
        {
            Name = "nightly", CronExpression = "0 0 * * *", FunctionId = 1, Nonce = "n-123456", Data = new { retrain = true },
        });
        Assert.Equal(3, schedule.Id);
        Assert.Single(await client.Functions.ListSchedulesAsync(new FunctionScheduleFilter { FunctionId = 1 }));
        await client.Functions.DeleteSchedulesAsync([3]);

        Assert.Equal(
            ["/functions/list", "/functions/byids", "/functions/delete", "/functions/schedules", "/functions/schedules/list", "/functions/schedules/delete"],
            handler.Requests.Where(r => r.Path.StartsWith(Api)).Select(r => r.Path[Api.Length..]));
        var list = JsonNode.Parse(handler.Requests.First(r => r.Path.EndsWith("/functions/list")).Body!)!;
        Assert.Equal("diabetes-", (string)list["filter"]!["externalIdPrefix"]!);
        var scheduleItem = JsonNode.Parse(handler.Requests.First(r => r.Path.EndsWith("/functions/schedules")).Body!)!["items"]![0]!;
        Assert.True((bool)scheduleItem["data"]!["retrain"]!);
        Assert.Equal("0 0 * * *", (string)scheduleItem["cronExpression"]!);
    }

    [Fact]
    public async Task Concurrent_requests_share_one_token_fetch()
    {
        var (client, handler) = Start((_, _, _) => (HttpStatusCode.OK, """{"items":[]}"""));
        using var _ = client;

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.Functions.ListAsync()));

        Assert.Equal(1, client.TokensFetched);
        Assert.Single(handler.Requests, r => r.Path == "/token");
        Assert.Equal(20, handler.Requests.Count(r => r.Path.EndsWith("/functions/list")));
    }
}
