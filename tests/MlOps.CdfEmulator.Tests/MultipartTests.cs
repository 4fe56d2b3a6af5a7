using System.Net;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

public sealed class MultipartTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private CdfTestClient Client => fixture.Client;

    [Fact]
    public async Task Parts_uploaded_out_of_order_are_joined_in_order_on_complete()
    {
        var externalId = EmulatorFixture.Unique("multi");
        var init = await Client.PostOkAsync("/files/initmultipartupload?parts=3", $$"""{"externalId":"{{externalId}}","name":"big.bin"}""",
            HttpStatusCode.Created);
        var uploadId = (string)init["uploadId"]!;
        var urls = init["uploadUrls"]!.AsArray().Select(u => (string)u!).ToArray();
        Assert.Equal(3, urls.Length);
        Assert.False((bool)init["uploaded"]!);

        var parts = new[] { Filled(2000, 1), Filled(3000, 2), Filled(10, 3) };
        await CdfTestClient.UploadAsync(urls[2], parts[2]);
        await CdfTestClient.UploadAsync(urls[0], parts[0]);

        var early = await Client.PostAsync("/files/completemultipartupload", $$"""{"externalId":"{{externalId}}","uploadId":"{{uploadId}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, early.Status);
        Assert.Contains("2", (string)early.Error!["message"]!);

        await CdfTestClient.UploadAsync(urls[1], parts[1]);
        var done = await Client.PostOkAsync("/files/completemultipartupload", $$"""{"id":{{(long)init["id"]!}},"uploadId":"{{uploadId}}"}""");
        Assert.Equal("{}", done.ToJsonString());

        Assert.True((bool)(await Client.ByExternalIdAsync(externalId))["uploaded"]!);
        Assert.Equal(parts.SelectMany(p => p).ToArray(), fixture.Server.Files.Find(fixture.Server.Project, externalId)!.ReadContent());
    }

    [Fact]
    public async Task Parts_below_the_minimum_size_except_the_last_fail_on_complete()
    {
        var externalId = EmulatorFixture.Unique("small");
        var init = await Client.PostOkAsync("/files/initmultipartupload?parts=2", $$"""{"externalId":"{{externalId}}","name":"s.bin"}""",
            HttpStatusCode.Created);
        var urls = init["uploadUrls"]!.AsArray().Select(u => (string)u!).ToArray();
        await CdfTestClient.UploadAsync(urls[0], Filled(100, 1));
        await CdfTestClient.UploadAsync(urls[1], Filled(100, 2));
        var response = await Client.PostAsync("/files/completemultipartupload", $$"""{"externalId":"{{externalId}}","uploadId":"{{(string)init["uploadId"]!}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.False((bool)(await Client.ByExternalIdAsync(externalId))["uploaded"]!);
    }

    [Theory]
    [InlineData("?parts=0")]
    [InlineData("?parts=251")]
    [InlineData("")]
    public async Task Part_count_must_be_between_1_and_250(string query)
    {
        var response = await Client.PostAsync("/files/initmultipartupload" + query, """{"name":"x.bin"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    [Fact]
    public async Task Wrong_upload_id_is_rejected()
    {
        var externalId = EmulatorFixture.Unique("wrongid");
        await Client.PostOkAsync("/files/initmultipartupload?parts=1", $$"""{"externalId":"{{externalId}}","name":"x.bin"}""", HttpStatusCode.Created);
        var response = await Client.PostAsync("/files/completemultipartupload", $$"""{"externalId":"{{externalId}}","uploadId":"nope"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
