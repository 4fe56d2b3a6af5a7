using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

/// <summary>A bare HttpClient against one emulator project, holding a bearer token got from the token endpoint.</summary>
public sealed class CdfTestClient : IDisposable
{
    private CdfTestClient(CdfEmulatorServer server, string project, string? token)
    {
        Server = server;
        Project = project;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public CdfEmulatorServer Server { get; }

    public string Project { get; }

    public HttpClient Http { get; }

    public string ApiUrl => Server.ApiUrl(Project);

    public static async Task<CdfTestClient> ConnectAsync(CdfEmulatorServer server, string? project = null,
        string clientId = EmulatorClient.DefaultClientId, string clientSecret = EmulatorClient.DefaultClientSecret)
    {
        var token = await GetTokenAsync(server, clientId, clientSecret);
        return new CdfTestClient(server, project ?? server.Project, token);
    }

    public static CdfTestClient Anonymous(CdfEmulatorServer server) => new(server, server.Project, null);

    public static async Task<string> GetTokenAsync(CdfEmulatorServer server, string clientId, string clientSecret)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(server.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = "https://emulator.cognitedata.com/.default",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Bearer", (string?)json["token_type"]);
        return (string)json["access_token"]!;
    }

    /// <summary>POSTs JSON to a path under the project API and returns the status and parsed body.</summary>
    public async Task<ApiResponse> PostAsync(string path, string json)
    {
        using var response = await Http.PostAsync(ApiUrl + path, new StringContent(json, Encoding.UTF8, "application/json"));
        return await ApiResponse.ReadAsync(response);
    }

    public Task<ApiResponse> PostAsync(string path, JsonNode body) => PostAsync(path, body.ToJsonString());

    public async Task<ApiResponse> GetAsync(string path)
    {
        using var response = await Http.GetAsync(ApiUrl + path);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>POSTs and asserts the status, returning the body.</summary>
    public async Task<JsonNode> PostOkAsync(string path, string json, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await PostAsync(path, json);
        Assert.True(expected == response.Status, $"expected {expected} but got {(int)response.Status}: {response.Text}");
        return response.Body!;
    }

    /// <summary>Creates a file and returns the create response (with uploadUrl).</summary>
    public async Task<JsonNode> CreateFileAsync(string externalId, string name = "file.bin", string extra = "")
    {
        return await PostOkAsync("/files", $$"""{"externalId":"{{externalId}}","name":"{{name}}"{{extra}}}""", HttpStatusCode.Created);
    }

    /// <summary>Creates a file and PUTs <paramref name="content"/> to its upload URL (without auth, as for a signed URL).</summary>
    public async Task<long> CreateAndUploadAsync(string externalId, byte[] content, string extra = "")
    {
        var created = await CreateFileAsync(externalId, externalId + ".bin", extra);
        await UploadAsync((string)created["uploadUrl"]!, content);
        return (long)created["id"]!;
    }

    public static async Task UploadAsync(string uploadUrl, byte[] content)
    {
        using var http = new HttpClient();
        using var response = await http.PutAsync(uploadUrl, new ByteArrayContent(content));
        Assert.True(response.IsSuccessStatusCode, $"upload answered {(int)response.StatusCode}");
    }

    public async Task<JsonNode> ByExternalIdAsync(string externalId)
    {
        var body = await PostOkAsync("/files/byids", $$"""{"items":[{"externalId":"{{externalId}}"}]}""");
        return body["items"]![0]!;
    }

    public void Dispose() => Http.Dispose();
}
