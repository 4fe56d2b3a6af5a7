using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

public sealed class FilesListTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private CdfTestClient Client => fixture.Client;

    /// <summary>Follows nextCursor until the last page; returns all items and the number of pages.</summary>
    private async Task<(List<JsonNode> Items, int Pages)> ListAllAsync(JsonObject filter, int limit = 1000)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var body = new JsonObject { ["filter"] = filter.DeepClone(), ["limit"] = limit };
            if (cursor is not null)
            {
                body["cursor"] = cursor;
            }

            var page = await Client.PostOkAsync("/files/list", body.ToJsonString());
            pages++;
            items.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null && pages < 50);
        return (items, pages);
    }

    [Fact]
    public async Task Cursor_paging_walks_every_match_once_within_the_page_size_cap()
    {
        var prefix = EmulatorFixture.Unique("page");
        var ids = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((long)(await Client.CreateFileAsync($"{prefix}/{i}"))["id"]!);
        }

        var (items, pages) = await ListAllAsync(new JsonObject { ["externalIdPrefix"] = prefix });
        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(), items.Select(i => (long)i["id"]!).Order());

        var (twoAtATime, smallPages) = await ListAllAsync(new JsonObject { ["externalIdPrefix"] = prefix }, limit: 2);
        Assert.Equal(4, smallPages);
        Assert.Equal(8, twoAtATime.Select(i => (long)i["id"]!).Distinct().Count());
    }

    [Fact]
    public async Task Filters_combine_prefixes_metadata_uploaded_and_more()
    {
        var prefix = EmulatorFixture.Unique("filt");
        await Client.CreateAndUploadAsync($"{prefix}/a", [1], ""","directory":"/models/x","metadata":{"model":"m","stage":"prod"},"mimeType":"application/zip","dataSetId":4294967296,"source":"train" """);
        await Client.CreateFileAsync($"{prefix}/b", "b.bin", ""","directory":"/models/x/sub","metadata":{"model":"m","stage":"dev"}""");
        await Client.CreateFileAsync($"{prefix}/c", "c.bin", ""","directory":"/other","metadata":{"model":"n"}""");

        async Task<string[]> Names(string filter)
        {
            var body = JsonNode.Parse($$"""{"filter":{"externalIdPrefix":"{{prefix}}"} }""")!;
            foreach (var (key, value) in JsonNode.Parse(filter)!.AsObject())
            {
                body["filter"]![key] = value?.DeepClone();
            }

            var (items, _) = await ListAllAsync(body["filter"]!.AsObject());
            return items.Select(i => ((string)i["externalId"]!)[(prefix.Length + 1)..]).Order().ToArray();
        }

        Assert.Equal(["a", "b", "c"], await Names("{}"));
        Assert.Equal(["a", "b"], await Names("""{"directoryPrefix":"/models/x"}"""));
        Assert.Equal(["a", "b"], await Names("""{"metadata":{"model":"m"}}"""));
        Assert.Equal(["a"], await Names("""{"metadata":{"model":"m","stage":"prod"}}"""));
        Assert.Empty(await Names("""{"metadata":{"model":"m","stage":"none"}}"""));
        Assert.Equal(["a"], await Names("""{"uploaded":true}"""));
        Assert.Equal(["b", "c"], await Names("""{"uploaded":false}"""));
        Assert.Equal(["c"], await Names("""{"name":"c.bin"}"""));
        Assert.Equal(["a"], await Names("""{"mimeType":"application/zip"}"""));
        Assert.Equal(["a"], await Names("""{"dataSetIds":[{"id":4294967296}]}"""));
        Assert.Equal(["a"], await Names("""{"source":"train"}"""));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(["a", "b", "c"], await Names($$"""{"createdTime":{"min":{{now - 60_000}},"max":{{now + 60_000}} } }"""));
        Assert.Empty(await Names($$"""{"createdTime":{"max":{{now - 60_000}} } }"""));
        Assert.Equal(["a"], await Names($$"""{"uploadedTime":{"min":0} }"""));
    }

    [Fact]
    public async Task Bad_list_requests_are_400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files/list", """{"limit":1001}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files/list", """{"limit":0}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files/list", """{"filter":{"externalIdPrefx":"a"}}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files/list", """{"cursor":"garbage!"}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync("/files/list", """{"limit":1000}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync("/files?limit=1001")).Status);
    }

    [Fact]
    public async Task Get_files_pages_with_limit_and_cursor()
    {
        for (var i = 0; i < 4; i++)
        {
            await Client.CreateFileAsync(EmulatorFixture.Unique("get"));
        }

        var seen = new HashSet<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Client.GetAsync("/files?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var items = page.Body!["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 2);
            Assert.All(items, i => Assert.True(seen.Add((long)i!["id"]!)));
            cursor = (string?)page.Body["nextCursor"];
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(fixture.Server.Files.All(fixture.Server.Project).Count, seen.Count);
        Assert.True(pages >= 2);
    }

    [Fact]
    public async Task New_files_can_stay_hidden_from_list_but_not_from_byids()
    {
        await using var server = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions { ListVisibilityDelay = TimeSpan.FromSeconds(30) });
        using var client = await CdfTestClient.ConnectAsync(server);
        await client.CreateFileAsync("hidden");
        Assert.Empty((await client.PostOkAsync("/files/list", "{}"))["items"]!.AsArray());
        Assert.Equal("hidden", (string?)(await client.ByExternalIdAsync("hidden"))["externalId"]);
    }

    [Fact]
    public async Task Partitions_split_a_listing_without_overlap()
    {
        var prefix = EmulatorFixture.Unique("part");
        for (var i = 0; i < 6; i++)
        {
            await Client.CreateFileAsync($"{prefix}/{i}");
        }

        var seen = new List<long>();
        foreach (var partition in new[] { "1/2", "2/2" })
        {
            string? cursor = null;
            do
            {
                var body = new JsonObject { ["filter"] = new JsonObject { ["externalIdPrefix"] = prefix }, ["partition"] = partition, ["cursor"] = cursor };
                var page = await Client.PostOkAsync("/files/list", body.ToJsonString());
                seen.AddRange(page["items"]!.AsArray().Select(i => (long)i!["id"]!));
                cursor = (string?)page["nextCursor"];
            }
            while (cursor is not null);
        }

        Assert.Equal(6, seen.Count);
        Assert.Equal(6, seen.Distinct().Count());
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.PostAsync("/files/list", """{"partition":"3/2"}""")).Status);
    }
}
