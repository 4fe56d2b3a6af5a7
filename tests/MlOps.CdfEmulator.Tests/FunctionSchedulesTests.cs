using System.Net;
using Xunit;
using static MlOps.CdfEmulator.Tests.FunctionTestKit;

namespace MlOps.CdfEmulator.Tests;

public sealed class FunctionSchedulesTests(FunctionsFixture fixture) : IClassFixture<FunctionsFixture>
{
    private CdfTestClient Client => fixture.Client;

    private CdfEmulatorServer Server => fixture.Server;

    private const string InfoHandler = "def handle(data, function_call_info):\n    return {'data': data, 'info': function_call_info}\n";

    [Fact]
    public async Task Schedules_are_created_listed_triggered_and_deleted()
    {
        var externalId = EmulatorFixture.Unique("fn-sched");
        var function = await DeployAsync(Client, HandlerZip(InfoHandler), externalId);
        var functionId = (long)function["id"]!;
        var nonce = await NonceAsync(Client);
        var created = await Client.PostOkAsync("/functions/schedules",
            $$$"""{"items":[{"name":"nightly","cronExpression":"0 2 * * MON-FRI","functionId":{{{functionId}}},"nonce":"{{{nonce}}}","description":"retrain","data":{"model":"m1"}}]}""",
            HttpStatusCode.Created);
        var schedule = created["items"]![0]!;
        var scheduleId = (long)schedule["id"]!;
        Assert.Equal("nightly", (string?)schedule["name"]);
        Assert.Equal("0 2 * * MON-FRI", (string?)schedule["cronExpression"]);
        Assert.Equal(functionId, (long)schedule["functionId"]!);
        Assert.Equal(externalId, (string?)schedule["functionExternalId"]);
        Assert.Equal("retrain", (string?)schedule["description"]);
        Assert.NotNull(schedule["sessionId"]);
        Assert.NotNull(schedule["createdTime"]);
        Assert.Null(schedule["data"]);
        Assert.Equal(NonceStatus.AlreadyUsed, Server.Sessions.ConsumeNonce(Server.Project, nonce).Status);

        var other = await Client.PostOkAsync("/functions/schedules",
            $$"""{"items":[{"name":"hourly","cronExpression":"*/15 * * * *","functionId":{{functionId}},"nonce":"{{await NonceAsync(Client)}}"}]}""",
            HttpStatusCode.Created);
        var otherId = (long)other["items"]![0]!["id"]!;

        var byFunction = await Client.PostOkAsync("/functions/schedules/list", $$$"""{"filter":{"functionId":{{{functionId}}}}}""");
        Assert.Equal([scheduleId, otherId], byFunction["items"]!.AsArray().Select(s => (long)s!["id"]!).ToList());
        var byName = await Client.PostOkAsync("/functions/schedules/list", $$$"""{"filter":{"functionExternalId":"{{{externalId}}}","name":"hourly"}}""");
        Assert.Equal(otherId, (long)Assert.Single(byName["items"]!.AsArray())!["id"]!);
        Assert.Contains((await Client.GetAsync("/functions/schedules")).Body!["items"]!.AsArray(), s => (long)s!["id"]! == scheduleId);
        var byIds = await Client.PostOkAsync("/functions/schedules/byids", $$"""{"items":[{"id":{{scheduleId}}}]}""");
        Assert.Equal("nightly", (string?)byIds["items"]![0]!["name"]);

        var input = await Client.GetAsync($"/functions/schedules/{scheduleId}/input_data");
        Assert.Equal(HttpStatusCode.OK, input.Status);
        Assert.Equal("m1", (string?)input.Body!["data"]!["model"]);

        var fired = Server.Functions.TriggerSchedule(Server.Project, scheduleId);
        Assert.Equal("Running", fired.Status);
        Assert.Equal(scheduleId, fired.ScheduleId);
        var done = await Server.Functions.WaitForCallAsync(Server.Project, fired.Id);
        Assert.Equal("Completed", done.Status);
        var response = (await Client.GetAsync($"/functions/{functionId}/calls/{fired.Id}/response")).Body!["response"]!;
        Assert.Equal("m1", (string?)response["data"]!["model"]);
        Assert.Equal(scheduleId, (long)response["info"]!["schedule_id"]!);
        Assert.Equal(fired.ScheduledTime, (long)response["info"]!["scheduled_time"]!);
        Assert.Equal(fired.Id, (long)response["info"]!["call_id"]!);

        await CallAndWaitAsync(Client, functionId);
        var scheduled = await Client.PostOkAsync($"/functions/{functionId}/calls/list", $$$"""{"filter":{"scheduleId":{{{scheduleId}}}}}""");
        var call = Assert.Single(scheduled["items"]!.AsArray())!;
        Assert.Equal(scheduleId, (long)call["scheduleId"]!);
        Assert.NotNull(call["scheduledTime"]);

        await Client.PostOkAsync("/functions/schedules/delete", $$"""{"items":[{"id":{{scheduleId}}}]}""");
        var gone = await Client.PostAsync("/functions/schedules/byids", $$"""{"items":[{"id":{{scheduleId}}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, gone.Status);
        Assert.Equal(scheduleId, (long)gone.Error!["missing"]![0]!["id"]!);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync($"/functions/schedules/{scheduleId}/input_data")).Status);
        Assert.Throws<CdfApiException>(() => Server.Functions.TriggerSchedule(Server.Project, scheduleId));
        Assert.Single(Server.Functions.Schedules(Server.Project), s => s.Id == otherId);
    }

    [Theory]
    [InlineData("* * * *", "5 fields")]
    [InlineData("60 * * * *", "minute")]
    [InlineData("0 24 * * *", "hour")]
    [InlineData("0 0 0 * *", "day of month")]
    [InlineData("0 0 * 13 *", "month")]
    [InlineData("0 0 * * 8", "day of week")]
    [InlineData("*/0 * * * *", "minute")]
    [InlineData("5-1 * * * *", "minute")]
    [InlineData("@daily", "5 fields")]
    public async Task Invalid_cron_expressions_are_rejected_without_spending_the_nonce(string cron, string fragment)
    {
        var function = await DeployAsync(Client, HandlerZip(InfoHandler), EmulatorFixture.Unique("fn-cron"));
        var nonce = await NonceAsync(Client);
        var response = await Client.PostAsync("/functions/schedules",
            $$"""{"items":[{"name":"n","cronExpression":"{{cron}}","functionId":{{function["id"]}},"nonce":"{{nonce}}"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(fragment, (string)response.Error!["message"]!);
        Assert.True(Server.Sessions.ConsumeNonce(Server.Project, nonce).IsValid);
    }

    [Fact]
    public async Task Schedule_create_needs_a_function_and_a_valid_nonce()
    {
        var function = await DeployAsync(Client, HandlerZip(InfoHandler), EmulatorFixture.Unique("fn-snonce"));
        var id = (long)function["id"]!;
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/functions/schedules",
            $$"""{"items":[{"name":"n","cronExpression":"0 * * * *","functionId":{{id}}}]}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/functions/schedules",
            $$"""{"items":[{"name":"n","cronExpression":"0 * * * *","nonce":"{{await NonceAsync(Client)}}"}]}""")).Status);
        var unknownFunction = await Client.PostAsync("/functions/schedules",
            $$"""{"items":[{"name":"n","cronExpression":"0 * * * *","functionId":777,"nonce":"{{await NonceAsync(Client)}}"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknownFunction.Status);
        Assert.Equal(777, (long)unknownFunction.Error!["missing"]![0]!["id"]!);

        var nonce = await NonceAsync(Client);
        Server.Sessions.ConsumeNonce(Server.Project, nonce);
        var reused = await Client.PostAsync("/functions/schedules",
            $$"""{"items":[{"name":"n","cronExpression":"0 * * * *","functionId":{{id}},"nonce":"{{nonce}}"}]}""");
        Assert.Equal(HttpStatusCode.Unauthorized, reused.Status);
        Assert.DoesNotContain(Server.Functions.Schedules(Server.Project), s => s.FunctionId == id);
    }
}
