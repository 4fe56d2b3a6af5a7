using System.Security.Cryptography;
using MlOps.Cdf;
using MlOps.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests.Cdf;

[Trait("Tier", "Integration")]
public class CdfFilesTests
{
    [Fact]
    public async Task Create_upload_retrieve_and_download_round_trip_a_multi_MiB_stream()
    {
        await using var cdf = await CdfTestSetup.StartAsync(uploadedDelay: TimeSpan.FromMilliseconds(200));
        using var client = CdfTestSetup.Client(cdf);
        var bytes = CdfTestSetup.RandomBytes(6 * 1024 * 1024 + 123);

        var created = await client.Files.CreateAsync(new FileCreate
        {
            ExternalId = "diabetes/test/1", Name = "model.zip", Directory = "/mlops/diabetes/test", MimeType = "application/zip",
            Metadata = new() { ["version"] = "1", ["env"] = "test" },
        });
        Assert.False(created.Uploaded);
        Assert.True(created.Id > int.MaxValue);                        // ids are int64
        Assert.StartsWith(cdf.StorageBaseUrl, created.UploadUrl);

        var source = new NonSeekableStream(new MemoryStream(bytes));
        await client.Files.UploadContentAsync(created.UploadUrl, source, bytes.Length, "application/zip");
        Assert.True(source.LargestRead <= 81920);                      // streamed in chunks, never buffered whole

        var put = Assert.Single(cdf.Requests.Matching("PUT /upload/*"));
        Assert.False(put.Headers.ContainsKey("Authorization"));        // the signed URL gets no CDF token
        Assert.Equal(bytes.Length.ToString(), put.Headers["Content-Length"]);
        Assert.Equal("application/zip", put.Headers["Content-Type"]);

        CdfFile file;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            file = (await client.Files.RetrieveAsync([Identity.Create("diabetes/test/1")])).Single();
        }
        while (!file.Uploaded && DateTime.UtcNow < deadline && await Delay());
        Assert.True(file.Uploaded);
        Assert.NotNull(file.UploadedTime);
        Assert.Equal("1", file.Metadata!["version"]);

        await using var download = await client.Files.DownloadAsync(Identity.Create(created.Id));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(download));
        Assert.False(cdf.Requests.Matching("GET /download/*").Single().Headers.ContainsKey("Authorization"));

        var link = Assert.Single(await client.Files.DownloadLinkAsync([Identity.Create("diabetes/test/1")]));
        Assert.Equal("diabetes/test/1", link.ExternalId);
        Assert.DoesNotContain(link.DownloadUrl, link.ToString());
    }

    [Fact]
    public async Task Upload_creates_and_sends_a_seekable_stream_in_one_call()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        var bytes = CdfTestSetup.RandomBytes(300_000, seed: 7);

        var file = await client.Files.UploadAsync(new FileCreate { ExternalId = "a", Name = "a.bin" }, new MemoryStream(bytes));

        Assert.Equal(bytes, cdf.Files.Find(cdf.Project, "a")!.ReadContent());
        Assert.Equal(file.Id, (await client.Files.GetAsync(file.Id)).Id);
    }

    [Fact]
    public async Task Duplicate_externalId_throws_the_duplicate_exception_with_the_ids()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        await client.Files.CreateAsync(new FileCreate { ExternalId = "model/v1", Name = "v1.zip" });

        var e = await Assert.ThrowsAsync<MlOpsException>(() => client.Files.CreateAsync(new FileCreate { ExternalId = "model/v1", Name = "v1.zip" }));

        Assert.Equal(CdfErrorIds.CdfDuplicated, e.ErrorId);
        Assert.Equal(MlOpsErrorKind.AlreadyExists, e.Kind);
        var duplicate = Assert.IsType<CdfDuplicateException>(e.InnerException);
        Assert.Equal(["model/v1"], duplicate.DuplicatedExternalIds);
        Assert.Equal(409, duplicate.Error.StatusCode);
        Assert.Contains("409", e.Message);
        Assert.Contains("ExternalId duplicated", e.Message);
        Assert.Contains(duplicate.RequestId!, e.Message);

        // overwrite=true reuses the file instead
        var again = await client.Files.CreateAsync(new FileCreate { ExternalId = "model/v1", Name = "v1.zip" }, overwrite: true);
        Assert.Equal("model/v1", again.ExternalId);
    }

    [Fact]
    public async Task List_follows_cursors_across_pages_and_applies_the_filter()
    {
        await using var cdf = await CdfTestSetup.StartAsync(pageSize: 5);
        using var client = CdfTestSetup.Client(cdf);
        for (var i = 1; i <= 12; i++)
        {
            await client.Files.CreateAsync(new FileCreate
            {
                ExternalId = $"diabetes/test/{i}", Name = $"{i}.zip", Directory = "/mlops/diabetes",
                Metadata = new() { ["model"] = "diabetes", ["parity"] = (i % 2).ToString() },
            });
        }

        await client.Files.CreateAsync(new FileCreate { ExternalId = "other/test/1", Name = "o.zip" });

        var all = await client.Files.ListAllAsync(new FileFilter { ExternalIdPrefix = "diabetes/" });
        Assert.Equal(12, all.Count);
        Assert.Equal(12, all.Select(f => f.ExternalId).Distinct().Count());
        Assert.Equal(3, cdf.Requests.Matching("POST /files/list").Count);     // 5 + 5 + 2

        var even = await client.Files.ListAllAsync(new FileFilter { Metadata = new() { ["model"] = "diabetes", ["parity"] = "0" } });
        Assert.Equal(6, even.Count);
        Assert.Empty(await client.Files.ListAllAsync(new FileFilter { DirectoryPrefix = "/mlops", Uploaded = true }));

        var page = await client.Files.ListAsync(new FileQuery { Filter = new FileFilter { DirectoryPrefix = "/mlops" }, Limit = 2 });
        Assert.Equal(2, page.Items.Count);
        Assert.NotNull(page.NextCursor);
    }

    [Fact]
    public async Task Retrieve_of_an_unknown_id_says_which_is_missing_unless_ignored()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);

        var e = await Assert.ThrowsAsync<MlOpsException>(() => client.Files.RetrieveAsync([Identity.Create("nope")]));
        Assert.Equal(CdfErrorIds.CdfResourceNotFound, e.ErrorId);
        Assert.Contains("externalId nope", e.Message);
        Assert.Equal([Identity.Create("nope")], ((CdfError)e.Target!).Missing);

        Assert.Empty(await client.Files.RetrieveAsync([Identity.Create("nope")], ignoreUnknownIds: true));
    }

    [Fact]
    public async Task Update_sets_and_changes_metadata_and_externalId_and_delete_removes()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        var file = await client.Files.CreateAsync(new FileCreate { ExternalId = "x", Name = "x", Metadata = new() { ["a"] = "1", ["b"] = "2" } });

        var changed = await client.Files.UpdateAsync([new FileUpdateItem(Identity.Create(file.Id), new FileUpdate
        {
            Metadata = UpdateDictionary.Change(new Dictionary<string, string> { ["c"] = "3" }, ["a"]),
            ExternalId = UpdateNullable<string>.Set("y"),
        })]);
        Assert.Equal("y", changed.Single().ExternalId);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, changed.Single().Metadata);

        var replaced = await client.Files.UpdateAsync([new FileUpdateItem(Identity.Create("y"), new FileUpdate
        {
            Metadata = UpdateDictionary.Set(new Dictionary<string, string> { ["only"] = "this" }),
        })]);
        Assert.Equal(new Dictionary<string, string> { ["only"] = "this" }, replaced.Single().Metadata);

        await client.Files.DeleteAsync([Identity.Create("y")]);
        Assert.Empty(await client.Files.RetrieveAsync([Identity.Create(file.Id)], ignoreUnknownIds: true));
        await client.Files.DeleteAsync([Identity.Create("y")], ignoreUnknownIds: true);
    }

    [Fact]
    public async Task Content_above_the_part_size_goes_through_multipart_upload()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        var options = CdfTestSetup.Options(cdf);
        options.MultipartPartSize = 5 * 1024 * 1024;
        using var client = new CdfClient(options);
        var bytes = CdfTestSetup.RandomBytes(12 * 1024 * 1024 + 5, seed: 3);

        var file = await client.Files.UploadAsync(new FileCreate { ExternalId = "big", Name = "big.bin" }, new MemoryStream(bytes));

        Assert.Single(cdf.Requests.Matching("POST /files/initmultipartupload"));
        Assert.Equal("?parts=3&overwrite=false", cdf.Requests.Matching("POST /files/initmultipartupload").Single().Query);
        Assert.Equal([5L * 1024 * 1024, 5L * 1024 * 1024, 2L * 1024 * 1024 + 5],
            cdf.Requests.Matching("PUT /upload/*").Select(r => r.BodyLength));
        Assert.Single(cdf.Requests.Matching("POST /files/completemultipartupload"));
        Assert.Empty(cdf.Requests.Matching("POST /files"));
        await using var download = await client.Files.DownloadAsync(Identity.Create(file.Id));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(download));
    }

    [Fact]
    public async Task A_session_from_client_credentials_returns_a_usable_nonce()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);

        var session = await client.Sessions.CreateFromClientCredentialsAsync();

        Assert.Equal("CLIENT_CREDENTIALS", session.Type);
        Assert.False(string.IsNullOrEmpty(session.Nonce));
        Assert.DoesNotContain(session.Nonce!, session.ToString());
        Assert.True(cdf.Sessions.ConsumeNonce(cdf.Project, session.Nonce!).IsValid);
        var exchanged = await client.Sessions.CreateAsync(SessionCreate.FromTokenExchange());
        Assert.Equal("TOKEN_EXCHANGE", exchanged.Type);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(50);
        return true;
    }
}
