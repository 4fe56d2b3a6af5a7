using System.Diagnostics;
using System.Net;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

/// <summary>Each test gets its own emulator, so injected faults cannot leak into other tests.</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private CdfEmulatorServer server = null!;
    private CdfTestClient client = null!;

    public async Task InitializeAsync()
    {
        server = await CdfEmulatorServer.StartAsync();
        client = await CdfTestClient.ConnectAsync(server);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Scripted_sequence_answers_429_with_retry_after_then_503_then_passes()
    {
        var rule = server.Faults.Script("POST /files", FaultAction.TooManyRequests(retryAfterSeconds: 1), FaultAction.ServiceUnavailable());

        var first = await client.PostAsync("/files", """{"externalId":"s","name":"s.bin"}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, first.Status);
        Assert.Equal("1", first.RetryAfter);
        Assert.Equal(429, (int)first.Error!["code"]!);
        Assert.NotNull(first.RequestId);

        var second = await client.PostAsync("/files", """{"externalId":"s","name":"s.bin"}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.Status);
        Assert.Null(second.RetryAfter);
        Assert.Null(server.Files.Find(server.Project, "s"));

        var third = await client.PostAsync("/files", """{"externalId":"s","name":"s.bin"}""");
        Assert.Equal(HttpStatusCode.Created, third.Status);
        Assert.Equal(2, rule.Injected);
        Assert.True(rule.IsExhausted);
        Assert.Equal(2, server.Faults.Injected);

        // Other routes were never touched by the rule.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/files/list", "{}")).Status);
        Assert.Equal(2, rule.Matched); // an exhausted script no longer counts matches
        Assert.Equal("Status 429 Retry-After 1", server.Requests.Matching("POST /files")[0].Fault);
    }

    [Fact]
    public async Task Random_rate_is_repeatable_and_counted()
    {
        var rule = server.Faults.Random("POST /files/list", 0.2, seed: 42,
            FaultAction.Status(429), FaultAction.Status(500), FaultAction.Status(503));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            statuses.Add((await client.PostAsync("/files/list", "{}")).Status);
        }

        var failed = statuses.Count(s => s != HttpStatusCode.OK);
        Assert.Equal(failed, rule.Injected);
        Assert.Equal(100, rule.Matched);
        Assert.InRange(failed, 8, 35);
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK),
            s => Assert.Contains(s, new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable }));

        // Same seed, same sequence.
        var replay = new Random(42);
        var expected = Enumerable.Range(0, 100).Count(_ =>
        {
            var hit = replay.NextDouble() < 0.2;
            if (hit)
            {
                replay.Next(3);
            }

            return hit;
        });
        Assert.Equal(expected, failed);

        rule.Enabled = false;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/files/list", "{}")).Status);
        Assert.Equal(100, rule.Matched);
    }

    [Fact]
    public async Task Slow_response_delays_and_trips_a_client_timeout()
    {
        server.Faults.Always("POST /files/byids", FaultAction.Slow(TimeSpan.FromMilliseconds(1500)));
        await client.CreateFileAsync("slow");

        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(400) };
        impatient.DefaultRequestHeaders.Authorization = client.Http.DefaultRequestHeaders.Authorization;
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() =>
            impatient.PostAsync(client.ApiUrl + "/files/byids", new StringContent("""{"items":[{"externalId":"slow"}]}""", System.Text.Encoding.UTF8, "application/json")));

        var watch = Stopwatch.StartNew();
        var patient = await client.PostAsync("/files/byids", """{"items":[{"externalId":"slow"}]}""");
        Assert.Equal(HttpStatusCode.OK, patient.Status);
        Assert.True(watch.ElapsedMilliseconds >= 1400, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Dropped_upload_connection_leaves_the_file_not_uploaded_and_a_retry_succeeds()
    {
        var created = await client.CreateFileAsync("dropped");
        var uploadUrl = (string)created["uploadUrl"]!;
        var rule = server.Faults.Script("PUT /upload/*", FaultAction.DropConnection(afterBytes: 64 * 1024));
        var content = new byte[2 * 1024 * 1024];
        new Random(1).NextBytes(content);

        using (var http = new HttpClient())
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.PutAsync(uploadUrl, new ByteArrayContent(content)));
        }

        Assert.Equal(1, rule.Injected);
        var stored = server.Files.Find(server.Project, "dropped")!;
        Assert.False(stored.HasContent);
        Assert.False((bool)(await client.ByExternalIdAsync("dropped"))["uploaded"]!);
        var logged = server.Requests.Matching("PUT /upload/*").Single();
        Assert.Equal(0, logged.Status);
        Assert.StartsWith("DropConnection", logged.Fault);

        await CdfTestClient.UploadAsync(uploadUrl, content);
        Assert.True((bool)(await client.ByExternalIdAsync("dropped"))["uploaded"]!);
        Assert.Equal(content, server.Files.Find(server.Project, "dropped")!.ReadContent());
    }

    [Fact]
    public async Task Fail_after_commit_answers_503_but_the_file_exists_and_a_retry_gets_409()
    {
        server.Faults.Script("POST /files", FaultAction.FailAfterCommit(503));
        var failed = await client.PostAsync("/files", """{"externalId":"committed","name":"c.bin","metadata":{"run":"r1"}}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.Equal(503, (int)failed.Error!["code"]!);
        Assert.Null(failed.Body!["id"]);

        var stored = server.Files.Find(server.Project, "committed");
        Assert.NotNull(stored);
        Assert.Equal("r1", stored.Metadata!["run"]);

        var retry = await client.PostAsync("/files", """{"externalId":"committed","name":"c.bin","metadata":{"run":"r1"}}""");
        Assert.Equal(HttpStatusCode.Conflict, retry.Status);
        var reconciled = await client.PostOkAsync("/files/byids", """{"items":[{"externalId":"committed"}],"ignoreUnknownIds":true}""");
        Assert.Equal("r1", (string?)reconciled["items"]![0]!["metadata"]!["run"]);
        Assert.Equal(1, server.Faults.Injected);
    }

    [Fact]
    public async Task Faults_can_be_switched_off_and_cleared_at_run_time()
    {
        var rule = server.Faults.Always("* /files*", FaultAction.Status(500));
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.PostAsync("/files/list", "{}")).Status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync("/files")).Status);

        server.Faults.Enabled = false;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/files/list", "{}")).Status);
        server.Faults.Enabled = true;
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.PostAsync("/files/list", "{}")).Status);

        server.Faults.Clear();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/files/list", "{}")).Status);
        Assert.Equal(3, rule.Injected);
        Assert.Equal(3, server.Faults.Injected);
        Assert.Empty(server.Faults.Rules);
    }

    [Fact]
    public async Task Token_endpoint_can_be_faulted_too()
    {
        server.Faults.Script("POST /oauth2/token", FaultAction.Status(503));
        using var http = new HttpClient();
        using var response = await http.PostAsync(server.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = EmulatorClient.DefaultClientId,
            ["client_secret"] = EmulatorClient.DefaultClientSecret,
        }));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(await CdfTestClient.GetTokenAsync(server, EmulatorClient.DefaultClientId, EmulatorClient.DefaultClientSecret));
    }
}
