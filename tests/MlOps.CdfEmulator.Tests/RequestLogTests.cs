using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

public sealed class RequestLogTests : IAsyncLifetime
{
    private CdfEmulatorServer server = null!;

    public async Task InitializeAsync() => server = await CdfEmulatorServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Headers_and_bodies_are_searchable_but_file_bytes_are_not_kept()
    {
        using var client = await CdfTestClient.ConnectAsync(server);
        client.Http.DefaultRequestHeaders.Add("x-cdp-app", "mlops-tests");
        var created = await client.PostOkAsync("/files", """{"externalId":"logged","name":"l.bin","metadata":{"note":"hello"}}""", HttpStatusCode.Created);
        await CdfTestClient.UploadAsync((string)created["uploadUrl"]!, Encoding.UTF8.GetBytes("SECRET-FILE-CONTENT"));

        var create = server.Requests.Matching("POST /files").Single();
        Assert.Equal("POST", create.Method);
        Assert.Equal($"/api/v1/projects/{server.Project}/files", create.Path);
        Assert.Equal(201, create.Status);
        Assert.Contains("\"note\":\"hello\"", create.Body);
        Assert.Equal("mlops-tests", create.Headers["x-cdp-app"]);
        Assert.StartsWith("Bearer ", create.Headers["Authorization"]);
        Assert.Equal(16, create.RequestId.Length);

        // The secret went only to the token endpoint; the bearer token appears in API calls, never in uploads.
        var withSecret = server.Requests.Containing(EmulatorClient.DefaultClientSecret);
        Assert.All(withSecret, r => Assert.Equal("/oauth2/token", r.Path));
        Assert.NotEmpty(withSecret);
        var token = client.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        Assert.DoesNotContain(server.Requests.Containing(token), r => r.Path.StartsWith("/upload/"));

        Assert.Empty(server.Requests.Containing("SECRET-FILE-CONTENT"));
        var upload = server.Requests.Matching("PUT /upload/*").Single();
        Assert.Equal(19, upload.BodyLength);
        Assert.Equal(200, upload.Status);
    }

    [Fact]
    public async Task Every_response_carries_the_logged_request_id_and_gzip_bodies_are_accepted()
    {
        using var client = await CdfTestClient.ConnectAsync(server);
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes("""{"name":"zipped.bin","externalId":"gz"}"""));
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await client.Http.PostAsync(client.ApiUrl + "/files", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var requestId = response.Headers.GetValues("X-Request-ID").Single();
        var logged = server.Requests.All.Single(r => r.RequestId == requestId);
        Assert.Contains("zipped.bin", logged.Body);

        using var anonymous = new HttpClient();
        using var denied = await anonymous.GetAsync(server.ApiUrl() + "/files");
        Assert.True(denied.Headers.Contains("X-Request-ID"));
        Assert.Equal(401, server.Requests.All.Single(r => r.RequestId == denied.Headers.GetValues("X-Request-ID").Single()).Status);
    }
}
