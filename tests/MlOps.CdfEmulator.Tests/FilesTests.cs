using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

public sealed class FilesTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private CdfTestClient Client => fixture.Client;

    private CdfEmulatorServer Server => fixture.Server;

    [Fact]
    public async Task Create_returns_201_with_an_absolute_unauthenticated_upload_url_and_the_upload_flips_uploaded()
    {
        var externalId = EmulatorFixture.Unique("create");
        var created = await Client.PostOkAsync("/files",
            $$"""{"externalId":"{{externalId}}","name":"model.zip","directory":"/models/a","mimeType":"application/zip","metadata":{"version":"1"} }""",
            HttpStatusCode.Created);
        var id = (long)created["id"]!;
        Assert.True(id > int.MaxValue, "ids are int64 above 2^31");
        Assert.False((bool)created["uploaded"]!);
        Assert.Null(created["uploadedTime"]);
        var uploadUrl = (string)created["uploadUrl"]!;
        Assert.StartsWith(Server.StorageBaseUrl + "/upload/", uploadUrl);
        Assert.NotEqual(new Uri(Server.BaseUrl).Port, new Uri(uploadUrl).Port);
        using (var apiOrigin = new HttpClient())
        {
            // The API origin has no upload paths, like a real CDF cluster.
            using var wrongOrigin = await apiOrigin.PutAsync(Server.BaseUrl + new Uri(uploadUrl).AbsolutePath, new ByteArrayContent([0]));
            Assert.Equal(HttpStatusCode.NotFound, wrongOrigin.StatusCode);
        }
        var createdTime = (long)created["createdTime"]!;
        Assert.InRange(createdTime, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());

        var content = new byte[] { 1, 2, 3, 4, 5 };
        await CdfTestClient.UploadAsync(uploadUrl, content);
        var file = await Client.ByExternalIdAsync(externalId);
        Assert.True((bool)file["uploaded"]!);
        Assert.True((long)file["uploadedTime"]! >= createdTime);
        Assert.Equal("1", (string?)file["metadata"]!["version"]);
        Assert.Equal(content, Server.Files.Find(Server.Project, id)!.ReadContent());
        var upload = Server.Requests.Matching("PUT /upload/*").Last();
        Assert.Equal(content.Length, upload.BodyLength);
        Assert.Null(upload.Body);
    }

    [Fact]
    public async Task Uploaded_turns_true_only_after_the_configured_delay()
    {
        // The delay runs on the emulator clock, so the test moves time instead of sleeping (no timing flakes).
        var clock = new EmulatorClock();
        await using var server = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions { Clock = clock, UploadedDelay = TimeSpan.FromSeconds(5) });
        using var client = await CdfTestClient.ConnectAsync(server);
        await client.CreateAndUploadAsync("delayed", [9, 9, 9]);
        Assert.True(server.Files.Find(server.Project, "delayed")!.HasContent);
        var pending = await client.ByExternalIdAsync("delayed");
        Assert.False((bool)pending["uploaded"]!);
        Assert.Null(pending["uploadedTime"]);
        var notYet = await client.PostAsync("/files/downloadlink", """{"items":[{"externalId":"delayed"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, notYet.Status);
        Assert.Empty((await client.PostOkAsync("/files/list", """{"filter":{"uploaded":true}}"""))["items"]!.AsArray());

        clock.Advance(TimeSpan.FromSeconds(6));
        var done = await client.ByExternalIdAsync("delayed");
        Assert.True((bool)done["uploaded"]!);
        Assert.True((long)done["uploadedTime"]! >= (long)done["createdTime"]! + 5000);
        Assert.Single((await client.PostOkAsync("/files/list", """{"filter":{"uploaded":true}}"""))["items"]!.AsArray());
    }

    [Fact]
    public async Task Duplicate_external_id_gets_409_with_duplicated_and_overwrite_reuses_the_id()
    {
        var externalId = EmulatorFixture.Unique("dup");
        var first = await Client.CreateFileAsync(externalId, extra: ""","metadata":{"a":"1","b":"2"}""");
        var again = await Client.PostAsync("/files", $$"""{"externalId":"{{externalId}}","name":"other"}""");
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal(409, (int)again.Error!["code"]!);
        Assert.Equal(externalId, (string?)again.Error["duplicated"]![0]!["externalId"]);

        var overwritten = await Client.PostOkAsync("/files?overwrite=true", $$"""{"externalId":"{{externalId}}","name":"renamed","metadata":{"c":"3"} }""",
            HttpStatusCode.Created);
        Assert.Equal((long)first["id"]!, (long)overwritten["id"]!);
        Assert.Equal("renamed", (string?)overwritten["name"]);
        Assert.Equal("""{"c":"3"}""", overwritten["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task Eight_concurrent_creates_of_one_external_id_have_exactly_one_winner()
    {
        var externalId = EmulatorFixture.Unique("race");
        var attempts = Enumerable.Range(0, 8).Select(i =>
            Client.PostAsync("/files", $$"""{"externalId":"{{externalId}}","name":"v.bin","metadata":{"runner":"{{i}}"} }""")).ToList();
        var results = await Task.WhenAll(attempts);
        Assert.Single(results, r => r.Status == HttpStatusCode.Created);
        Assert.Equal(7, results.Count(r => r.Status == HttpStatusCode.Conflict && (string?)r.Error!["duplicated"]![0]!["externalId"] == externalId));
        var winner = results.Single(r => r.Status == HttpStatusCode.Created).Body!;
        var stored = Server.Files.Find(Server.Project, externalId)!;
        Assert.Equal((long)winner["id"]!, stored.Id);
        Assert.Equal((string?)winner["metadata"]!["runner"], stored.Metadata!["runner"]);
    }

    [Fact]
    public async Task Unknown_fields_and_missing_name_are_rejected_with_400()
    {
        var unknown = await Client.PostAsync("/files", """{"name":"a","extenalId":"typo"}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Contains("extenalId", (string)unknown.Error!["message"]!);

        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files", """{"externalId":"no-name"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files", """{"name":"a","metadata":{"n":1}}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files", """{"name":"a","directory":"relative/path"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files", "not json")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files/byids", """{"items":[{"id":1}],"bogus":true}""")).Status);
    }

    [Fact]
    public async Task Byids_reports_missing_identifiers_unless_told_to_ignore_them()
    {
        var externalId = EmulatorFixture.Unique("byids");
        var id = (long)(await Client.CreateFileAsync(externalId))["id"]!;

        var both = await Client.PostOkAsync("/files/byids", $$"""{"items":[{"id":{{id}}},{"externalId":"{{externalId}}"}]}""");
        Assert.All(both["items"]!.AsArray(), f => Assert.Equal(id, (long)f!["id"]!));

        var missing = await Client.PostAsync("/files/byids", $$"""{"items":[{"id":{{id}}},{"externalId":"nope-{{externalId}}"},{"id":42}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        var missingList = missing.Error!["missing"]!.AsArray();
        Assert.Equal(2, missingList.Count);
        Assert.Contains(missingList, m => (string?)m!["externalId"] == "nope-" + externalId);
        Assert.Contains(missingList, m => m!["id"] is not null && (long)m["id"]! == 42);

        var ignored = await Client.PostOkAsync("/files/byids", $$"""{"items":[{"id":{{id}}},{"id":42}],"ignoreUnknownIds":true}""");
        Assert.Single(ignored["items"]!.AsArray());

        var single = await Client.GetAsync($"/files/{id}");
        Assert.Equal(externalId, (string?)single.Body!["externalId"]);
        var unknownSingle = await Client.GetAsync("/files/42");
        Assert.Equal(HttpStatusCode.BadRequest, unknownSingle.Status);
        Assert.Equal(42, (long)unknownSingle.Error!["missing"]![0]!["id"]!);
    }

    [Fact]
    public async Task Download_link_round_trips_several_mebibytes()
    {
        var content = new byte[6 * 1024 * 1024 + 123];
        new Random(7).NextBytes(content);
        var externalId = EmulatorFixture.Unique("big");
        var id = await Client.CreateAndUploadAsync(externalId, content, ""","mimeType":"application/octet-stream" """);

        var link = await Client.PostOkAsync("/files/downloadlink", $$"""{"items":[{"id":{{id}}}]}""");
        var item = link["items"]![0]!;
        Assert.Equal(id, (long)item["id"]!);
        var downloadUrl = (string)item["downloadUrl"]!;
        Assert.StartsWith(Server.StorageBaseUrl + "/download/", downloadUrl);

        using var anonymous = new HttpClient();
        var downloaded = await anonymous.GetByteArrayAsync(downloadUrl);
        Assert.Equal(content, downloaded);

        var byExternal = await Client.PostOkAsync("/files/downloadlink", $$"""{"items":[{"externalId":"{{externalId}}"}]}""");
        Assert.Equal(externalId, (string?)byExternal["items"]![0]!["externalId"]);
        Assert.Null(Server.Requests.Matching("PUT /upload/*").Last().Body);
    }

    [Fact]
    public async Task A_capped_link_carries_uploads_and_downloads_no_faster_than_its_rate_and_intact()
    {
        // 2 MiB each way over a 4 MiB/s link: half a second at least (a lower bound only, so a slow machine cannot fail it).
        const long Rate = 4L * 1024 * 1024;
        await using var server = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions { TransferBytesPerSecond = Rate });
        using var client = await CdfTestClient.ConnectAsync(server);
        var content = new byte[2 * 1024 * 1024];
        new Random(11).NextBytes(content);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var id = await client.CreateAndUploadAsync("capped", content);
        var up = clock.Elapsed;
        var link = await client.PostOkAsync("/files/downloadlink", $$"""{"items":[{"id":{{id}}}]}""");
        using var anonymous = new HttpClient();
        clock.Restart();
        var downloaded = await anonymous.GetByteArrayAsync((string)link["items"]![0]!["downloadUrl"]!);
        var down = clock.Elapsed;

        Assert.Equal(content, downloaded);
        var least = TimeSpan.FromSeconds(0.9 * content.Length / Rate);
        Assert.True(up >= least, $"the upload took {up.TotalSeconds:0.000} s; at 4 MiB/s it cannot take less than {least.TotalSeconds:0.000} s");
        Assert.True(down >= least, $"the download took {down.TotalSeconds:0.000} s; at 4 MiB/s it cannot take less than {least.TotalSeconds:0.000} s");
    }

    [Fact]
    public async Task Download_link_for_a_file_without_content_is_a_400()
    {
        var externalId = EmulatorFixture.Unique("empty");
        await Client.CreateFileAsync(externalId);
        var response = await Client.PostAsync("/files/downloadlink", $$"""{"items":[{"externalId":"{{externalId}}"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("not uploaded", (string)response.Error!["message"]!);
    }

    [Fact]
    public async Task Delete_frees_the_external_id_and_reports_unknown_ones()
    {
        var externalId = EmulatorFixture.Unique("del");
        var id = await Client.CreateAndUploadAsync(externalId, [1, 2, 3]);
        var path = Server.Files.Find(Server.Project, id)!.ContentPath!;

        var unknown = await Client.PostAsync("/files/delete", $$"""{"items":[{"externalId":"{{externalId}}"},{"id":7}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal(7, (long)unknown.Error!["missing"]![0]!["id"]!);
        Assert.NotNull(Server.Files.Find(Server.Project, id));

        var deleted = await Client.PostOkAsync("/files/delete", $$"""{"items":[{"externalId":"{{externalId}}"},{"id":7}],"ignoreUnknownIds":true}""");
        Assert.Equal("{}", deleted.ToJsonString());
        Assert.Null(Server.Files.Find(Server.Project, id));
        Assert.False(File.Exists(path));
        var recreated = await Client.CreateFileAsync(externalId);
        Assert.NotEqual(id, (long)recreated["id"]!);
    }

    [Fact]
    public async Task Update_sets_and_patches_fields_and_409s_on_an_external_id_clash()
    {
        var a = EmulatorFixture.Unique("upd-a");
        var b = EmulatorFixture.Unique("upd-b");
        var idA = (long)(await Client.CreateFileAsync(a, extra: ""","metadata":{"keep":"1","drop":"2"}""" ))["id"]!;
        await Client.CreateFileAsync(b);

        var patched = await Client.PostOkAsync("/files/update", $$"""
            {"items":[{"id":{{idA}},"update":{
              "metadata":{"add":{"new":"3"},"remove":["drop"]},
              "directory":{"set":"/moved"},"source":{"set":"training"},"mimeType":{"set":"application/zip"} } }]}
            """);
        var file = patched["items"]![0]!;
        Assert.Equal("""{"keep":"1","new":"3"}""", file["metadata"]!.ToJsonString());
        Assert.Equal("/moved", (string?)file["directory"]);
        Assert.Equal("training", (string?)file["source"]);
        Assert.Equal("application/zip", (string?)file["mimeType"]);

        var replaced = await Client.PostOkAsync("/files/update", $$"""{"items":[{"externalId":"{{a}}","update":{"metadata":{"set":{"only":"x"} } } }]}""");
        Assert.Equal("""{"only":"x"}""", replaced["items"]![0]!["metadata"]!.ToJsonString());

        var clash = await Client.PostAsync("/files/update", $$"""{"items":[{"id":{{idA}},"update":{"externalId":{"set":"{{b}}"} } }]}""");
        Assert.Equal(HttpStatusCode.Conflict, clash.Status);
        Assert.Equal(b, (string?)clash.Error!["duplicated"]![0]!["externalId"]);

        var renamed = a + "-renamed";
        await Client.PostOkAsync("/files/update", $$"""{"items":[{"id":{{idA}},"update":{"externalId":{"set":"{{renamed}}"} } }]}""");
        Assert.Equal(idA, Server.Files.Find(Server.Project, renamed)!.Id);
        Assert.Null(Server.Files.Find(Server.Project, a));

        var cleared = await Client.PostOkAsync("/files/update", $$"""{"items":[{"id":{{idA}},"update":{"externalId":{"setNull":true} } }]}""");
        Assert.Null(cleared["items"]![0]!["externalId"]);
        Assert.Null(Server.Files.Find(Server.Project, renamed));

        var badField = await Client.PostAsync("/files/update", $$"""{"items":[{"id":{{idA}},"update":{"name":{"set":"x"} } }]}""");
        Assert.Equal(HttpStatusCode.BadRequest, badField.Status);
        var missing = await Client.PostAsync("/files/update", """{"items":[{"id":5,"update":{"source":{"set":"x"}}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal(5, (long)missing.Error!["missing"]![0]!["id"]!);
    }

    [Theory]
    [InlineData("metadata key over 128 bytes", """{"name":"a","metadata":{"KEY129":"v"}}""")]
    [InlineData("metadata value over 10240 bytes", """{"name":"a","metadata":{"k":"VALUE10241"}}""")]
    [InlineData("more than 256 pairs", """{"name":"a","metadata":PAIRS257}""")]
    [InlineData("total over 10240 bytes", """{"name":"a","metadata":{"a":"VALUE6000","b":"VALUE6000"}}""")]
    [InlineData("externalId over 255", """{"name":"a","externalId":"EXT256"}""")]
    [InlineData("name over 256", """{"name":"NAME257"}""")]
    [InlineData("directory over 512", """{"name":"a","directory":"/DIR513"}""")]
    public async Task Field_limits_are_enforced_with_400(string why, string template)
    {
        var body = template
            .Replace("KEY129", new string('k', 129))
            .Replace("VALUE10241", new string('v', 10241))
            .Replace("VALUE6000", new string('v', 6000))
            .Replace("PAIRS257", new JsonObject(Enumerable.Range(0, 257).Select(i => KeyValuePair.Create($"k{i}", (JsonNode?)"v"))).ToJsonString())
            .Replace("EXT256", new string('e', 256))
            .Replace("NAME257", new string('n', 257))
            .Replace("/DIR513", "/" + new string('d', 512));
        var response = await Client.PostAsync("/files", body);
        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{why}: got {(int)response.Status}");
        Assert.Equal(400, (int)response.Error!["code"]!);
    }

    [Fact]
    public async Task Limits_at_their_maximum_are_accepted()
    {
        var metadata = new JsonObject { [new string('k', 128)] = new string('v', 10240 - 128) };
        var body = new JsonObject
        {
            ["externalId"] = EmulatorFixture.Unique("max") + new string('e', 200),
            ["name"] = new string('n', 256),
            ["directory"] = "/" + new string('d', 511),
            ["metadata"] = metadata,
        };
        var response = await Client.PostAsync("/files", body);
        Assert.Equal(HttpStatusCode.Created, response.Status);

        var update = await Client.PostAsync("/files/update", $$"""
            {"items":[{"id":{{(long)response.Body!["id"]!}},"update":{"metadata":{"add":{"extra":"tips the total over"} } } }]}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, update.Status);
    }

    [Fact]
    public async Task Upload_link_gives_a_new_url_for_existing_metadata()
    {
        var externalId = EmulatorFixture.Unique("relink");
        await Client.CreateFileAsync(externalId);
        var link = await Client.PostOkAsync("/files/uploadlink", $$"""{"items":[{"externalId":"{{externalId}}"}]}""");
        var url = (string)link["items"]![0]!["uploadUrl"]!;
        await CdfTestClient.UploadAsync(url, [4, 2]);
        Assert.Equal(new byte[] { 4, 2 }, Server.Files.Find(Server.Project, externalId)!.ReadContent());
    }

    [Fact]
    public async Task Overwrite_keeps_the_old_bytes_until_new_ones_arrive()
    {
        var externalId = EmulatorFixture.Unique("keep");
        await Client.CreateAndUploadAsync(externalId, [1, 1, 1]);
        var again = await Client.PostOkAsync("/files?overwrite=true", $$"""{"externalId":"{{externalId}}","name":"v2.bin"}""", HttpStatusCode.Created);
        Assert.Equal(new byte[] { 1, 1, 1 }, Server.Files.Find(Server.Project, externalId)!.ReadContent());
        Assert.True((bool)again["uploaded"]!);

        await CdfTestClient.UploadAsync((string)again["uploadUrl"]!, [2, 2]);
        Assert.Equal(new byte[] { 2, 2 }, Server.Files.Find(Server.Project, externalId)!.ReadContent());
    }
}
