using System.Net.Http;
using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests.Cdf;

[Trait("Tier", "Integration")]
public class CdfRetryTests
{
    [Fact]
    public async Task Idempotent_list_is_retried_after_429_with_Retry_After_and_503()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        var retries = new List<CdfRetryNotice>();
        using var client = CdfTestSetup.Client(cdf, retries: retries);
        cdf.Faults.Script("POST /files/list", FaultAction.TooManyRequests(2), FaultAction.ServiceUnavailable());

        await client.Files.ListAllAsync();

        Assert.Equal([429, 503, 200], cdf.Requests.Matching("POST /files/list").Select(r => r.Status));
        Assert.Equal(2, retries.Count);
        Assert.Equal(429, retries[0].StatusCode);
        Assert.True(retries[0].Delay >= TimeSpan.FromMilliseconds(2000 * 0.001));   // Retry-After 2 s is the floor (scaled)
        Assert.Equal("POST /files/list", retries[0].Operation);
        Assert.Equal(cdf.Requests.Matching("POST /files/list")[0].RequestId, retries[0].RequestId);
        Assert.Equal(503, retries[1].StatusCode);
        Assert.Equal(2, retries[1].Attempt);
    }

    [Fact]
    public async Task Byids_and_downloadlink_are_retried_on_500_502_and_504()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        var file = await client.Files.UploadAsync(new FileCreate { ExternalId = "f", Name = "f" }, new MemoryStream([1, 2, 3]));
        cdf.Faults.Script("POST /files/byids", FaultAction.Status(500), FaultAction.Status(502), FaultAction.Status(504));
        cdf.Faults.Script("POST /files/downloadlink", FaultAction.Status(502));

        Assert.Single(await client.Files.RetrieveAsync([Identity.Create(file.Id)]));
        Assert.Single(await client.Files.DownloadLinkAsync([Identity.Create(file.Id)]));

        Assert.Equal(4, cdf.Requests.Matching("POST /files/byids").Count);
        Assert.Equal(2, cdf.Requests.Matching("POST /files/downloadlink").Count);
    }

    [Fact]
    public async Task Create_is_not_retried_after_503_and_says_to_reconcile()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        cdf.Faults.Script("POST /files", FaultAction.FailAfterCommit(503));

        var e = await Assert.ThrowsAsync<MlOpsException>(() => client.Files.CreateAsync(new FileCreate { ExternalId = "v1", Name = "v1" }));

        Assert.Single(cdf.Requests.Matching("POST /files"));
        Assert.Equal(CdfErrorIds.CdfServiceUnavailable, e.ErrorId);
        Assert.Contains("HTTP 503", e.Message);
        Assert.Contains("Re-read", e.Message);
        Assert.Contains(cdf.Requests.Matching("POST /files").Single().RequestId, e.Message);

        // The create did happen: reconciling by externalId finds it.
        Assert.Single(await client.Files.RetrieveAsync([Identity.Create("v1")], ignoreUnknownIds: true));
    }

    [Fact]
    public async Task Create_is_retried_after_429()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        cdf.Faults.Script("POST /files", FaultAction.TooManyRequests(1), FaultAction.TooManyRequests(1));

        var file = await client.Files.CreateAsync(new FileCreate { ExternalId = "v1", Name = "v1" });

        Assert.Equal("v1", file.ExternalId);
        Assert.Equal([429, 429, 201], cdf.Requests.Matching("POST /files").Select(r => r.Status));
    }

    [Fact]
    public async Task Non_idempotent_posts_are_not_retried_after_5xx_or_dropped_connections()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        var file = await client.Files.CreateAsync(new FileCreate { ExternalId = "u", Name = "u" });
        cdf.Faults.Script("POST /files/update", FaultAction.ServiceUnavailable());
        cdf.Faults.Script("POST /files/delete", FaultAction.Status(502));
        cdf.Faults.Script("POST /sessions", FaultAction.ServiceUnavailable());
        cdf.Faults.Script("POST /files", FaultAction.DropConnection());

        var update = new FileUpdateItem(Identity.Create(file.Id), new FileUpdate { Source = UpdateNullable<string>.Set("s") });
        await Assert.ThrowsAsync<MlOpsException>(() => client.Files.UpdateAsync([update]));
        await Assert.ThrowsAsync<MlOpsException>(() => client.Files.DeleteAsync([Identity.Create(file.Id)]));
        await Assert.ThrowsAsync<MlOpsException>(() => client.Sessions.CreateFromClientCredentialsAsync());
        var dropped = await Assert.ThrowsAsync<MlOpsException>(() => client.Files.CreateAsync(new FileCreate { ExternalId = "w", Name = "w" }));

        Assert.Single(cdf.Requests.Matching("POST /files/update"));
        Assert.Single(cdf.Requests.Matching("POST /files/delete"));
        Assert.Single(cdf.Requests.Matching("POST /sessions"));
        Assert.Equal(2, cdf.Requests.Matching("POST /files").Count);     // the first create and the dropped one
        Assert.Equal(CdfErrorIds.CdfConnectionFailed, dropped.ErrorId);
        Assert.Equal(MlOpsErrorKind.ConnectionError, dropped.Kind);
    }

    [Fact]
    public async Task Dropped_connection_on_an_idempotent_get_is_retried()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        var retries = new List<CdfRetryNotice>();
        using var client = CdfTestSetup.Client(cdf, retries: retries);
        var file = await client.Files.CreateAsync(new FileCreate { ExternalId = "g", Name = "g" });
        cdf.Faults.Script("GET /files/*", FaultAction.DropConnection());

        var got = await client.Files.GetAsync(file.Id);

        Assert.Equal(file.Id, got.Id);
        Assert.Equal([0, 200], cdf.Requests.Matching("GET /files/*").Select(r => r.Status));
        var notice = Assert.Single(retries);
        Assert.Null(notice.StatusCode);
        Assert.StartsWith("connection failed", notice.Reason);
        Assert.Equal($"GET /files/{file.Id}", notice.Operation);
    }

    [Fact]
    public async Task Upload_of_a_seekable_stream_is_retried_from_the_start_and_a_download_after_a_drop()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        var bytes = CdfTestSetup.RandomBytes(1024 * 1024);
        cdf.Faults.Script("PUT /upload/*", FaultAction.DropConnection(afterBytes: 100_000), FaultAction.ServiceUnavailable());
        var file = await client.Files.UploadAsync(new FileCreate { ExternalId = "s", Name = "s" }, new MemoryStream(bytes));
        Assert.Equal(3, cdf.Requests.Matching("PUT /upload/*").Count);
        Assert.Equal(bytes, cdf.Files.Find(cdf.Project, "s")!.ReadContent());

        cdf.Faults.Script("GET /download/*", FaultAction.DropConnection());
        await using var download = await client.Files.DownloadAsync(Identity.Create(file.Id));
        Assert.Equal(bytes, await CdfTestSetup.ReadAllAsync(download));
        Assert.Equal(2, cdf.Requests.Matching("GET /download/*").Count);
    }

    [Fact]
    public async Task Upload_of_a_stream_that_cannot_seek_is_sent_once()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        var created = await client.Files.CreateAsync(new FileCreate { ExternalId = "n", Name = "n" });
        cdf.Faults.Script("PUT /upload/*", FaultAction.ServiceUnavailable());

        var e = await Assert.ThrowsAsync<MlOpsException>(() =>
            client.Files.UploadContentAsync(created.UploadUrl, new NonSeekableStream(new MemoryStream(new byte[1000])), 1000));

        Assert.Equal(CdfErrorIds.CdfServiceUnavailable, e.ErrorId);
        Assert.Single(cdf.Requests.Matching("PUT /upload/*"));
        Assert.DoesNotContain(created.UploadUrl, e.ToString());          // signed URLs stay out of messages
    }

    [Fact]
    public async Task Attempts_are_bounded_and_the_last_failure_is_reported()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        var options = CdfTestSetup.Options(cdf);
        options.Retry.MaxAttempts = 3;
        using var client = new CdfClient(options);
        cdf.Faults.Always("POST /files/list", FaultAction.TooManyRequests(1));

        var e = await Assert.ThrowsAsync<MlOpsException>(() => client.Files.ListAllAsync());

        Assert.Equal(CdfErrorIds.CdfThrottled, e.ErrorId);
        Assert.Equal(3, cdf.Requests.Matching("POST /files/list").Count);
        Assert.Contains(cdf.Requests.Matching("POST /files/list").Last().RequestId, e.Message);
    }

    [Fact]
    public async Task A_slow_answer_times_out_and_an_idempotent_request_is_retried()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        var options = CdfTestSetup.Options(cdf);
        options.RequestTimeout = TimeSpan.FromMilliseconds(500);
        using var client = new CdfClient(options);
        await client.Files.ListAllAsync();
        cdf.Faults.Script("POST /files/list", FaultAction.Slow(TimeSpan.FromSeconds(3)));
        cdf.Faults.Script("POST /files", FaultAction.Slow(TimeSpan.FromSeconds(3)));

        await client.Files.ListAllAsync();
        var e = await Assert.ThrowsAsync<MlOpsException>(() => client.Files.CreateAsync(new FileCreate { Name = "t" }));

        Assert.Equal(3, cdf.Requests.Matching("POST /files/list").Count);
        Assert.Equal(CdfErrorIds.CdfTimeout, e.ErrorId);
        Assert.Contains("Re-read", e.Message);
    }

    [Fact]
    public async Task Caller_cancellation_stops_retrying()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        var options = CdfTestSetup.Options(cdf);
        options.Retry.DelayScale = 1;
        using var client = new CdfClient(options);
        cdf.Faults.Always("POST /files/list", FaultAction.TooManyRequests(30));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Files.ListAllAsync(cancellationToken: cancel.Token));
        Assert.Single(cdf.Requests.Matching("POST /files/list"));
    }

    [Theory]
    [InlineData("GET", "/files/123", true)]
    [InlineData("PUT", "/anything", true)]
    [InlineData("POST", "/files/list", true)]
    [InlineData("POST", "/files/byids", true)]
    [InlineData("POST", "/files/downloadlink", true)]
    [InlineData("POST", "/functions/list", true)]
    [InlineData("POST", "/functions/byids", true)]
    [InlineData("POST", "/functions/123/calls/list", true)]
    [InlineData("POST", "/functions/123/calls/byids", true)]
    [InlineData("POST", "/functions/schedules/list", true)]
    [InlineData("POST", "/sessions/byids", true)]
    [InlineData("POST", "/files", false)]
    [InlineData("POST", "/files/delete", false)]
    [InlineData("POST", "/files/update", false)]
    [InlineData("POST", "/files/initmultipartupload", false)]
    [InlineData("POST", "/functions", false)]
    [InlineData("POST", "/functions/123/call", false)]
    [InlineData("POST", "/functions/schedules", false)]
    [InlineData("POST", "/sessions", false)]
    public void Requests_are_classified_like_the_python_sdk(string method, string path, bool idempotent)
    {
        var mode = CdfRetryRules.Classify(new HttpMethod(method), path);
        Assert.Equal(idempotent ? CdfRetryMode.Idempotent : CdfRetryMode.OnlyThrottled, mode);
        Assert.True(CdfRetryRules.IsRetryableStatus(429, mode));
        Assert.Equal(idempotent, CdfRetryRules.IsRetryableStatus(503, mode));
        Assert.Equal(idempotent, CdfRetryRules.IsRetryableStatus(500, mode));
        Assert.False(CdfRetryRules.IsRetryableStatus(400, mode));
    }

    [Fact]
    public void Delays_use_full_jitter_exponential_backoff_with_Retry_After_as_floor_and_a_cap()
    {
        var options = new CdfRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(30) };

        Assert.Equal(TimeSpan.FromMilliseconds(500), CdfRetryRules.Delay(options, 0, null, 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(2000), CdfRetryRules.Delay(options, 2, null, 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(1000), CdfRetryRules.Delay(options, 2, null, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(30), CdfRetryRules.Delay(options, 10, null, 1.0));           // capped
        Assert.Equal(TimeSpan.Zero, CdfRetryRules.Delay(options, 3, null, 0.0));                      // full jitter reaches 0
        Assert.Equal(TimeSpan.FromSeconds(5), CdfRetryRules.Delay(options, 0, TimeSpan.FromSeconds(5), 0.1)); // Retry-After floor
        Assert.Equal(TimeSpan.FromSeconds(30), CdfRetryRules.Delay(options, 0, TimeSpan.FromHours(1), 0.1));  // floor capped too
        options.DelayScale = 0.01;
        Assert.Equal(TimeSpan.FromMilliseconds(50), CdfRetryRules.Delay(options, 0, TimeSpan.FromSeconds(5), 0.1));
        for (var i = 0; i < 100; i++)
        {
            var delay = CdfRetryRules.Delay(new CdfRetryOptions(), 4, null);
            Assert.InRange(delay, TimeSpan.Zero, TimeSpan.FromSeconds(8));
        }
    }
}
