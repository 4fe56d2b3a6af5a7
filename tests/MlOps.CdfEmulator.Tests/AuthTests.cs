using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace MlOps.CdfEmulator.Tests;

public sealed class AuthTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private CdfEmulatorServer Server => fixture.Server;

    [Fact]
    public async Task Token_endpoint_issues_a_bearer_token_that_the_api_accepts()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(Server.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = EmulatorClient.DefaultClientId,
            ["client_secret"] = EmulatorClient.DefaultClientSecret,
        }));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", (string?)json["token_type"]);
        Assert.Equal(3600, (long)json["expires_in"]!);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)json["access_token"]!);
        using var list = await http.PostAsync(Server.ApiUrl() + "/files/list", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task Token_endpoint_accepts_client_secret_basic_and_rejects_wrong_secrets_and_grants()
    {
        using var http = new HttpClient();
        var basic = new HttpRequestMessage(HttpMethod.Post, Server.TokenUrl)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{EmulatorFixture.ReaderId}:{EmulatorFixture.ReaderSecret}")));
        using (var ok = await http.SendAsync(basic))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var wrong = await http.PostAsync(Server.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = EmulatorClient.DefaultClientId,
            ["client_secret"] = "not-the-secret",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("invalid_client", (string?)JsonNode.Parse(await wrong.Content.ReadAsStringAsync())!["error"]);

        using var grant = await http.PostAsync(Server.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password" }));
        Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
        Assert.Equal("unsupported_grant_type", (string?)JsonNode.Parse(await grant.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task Missing_and_unknown_tokens_get_401_in_the_error_envelope_with_a_request_id()
    {
        using var anonymous = CdfTestClient.Anonymous(Server);
        var missing = await anonymous.PostAsync("/files/list", "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Equal(401, (int)missing.Error!["code"]!);
        Assert.Contains("Bearer", (string)missing.Error["message"]!);
        Assert.False(string.IsNullOrEmpty(missing.RequestId));

        anonymous.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "made-up");
        var unknown = await anonymous.PostAsync("/files/list", "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Status);
        Assert.Equal(401, (int)unknown.Error!["code"]!);
        Assert.NotEqual(missing.RequestId, unknown.RequestId);
    }

    [Fact]
    public async Task Expired_tokens_get_401()
    {
        var clock = new EmulatorClock();
        await using var server = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions { Clock = clock, TokenLifetime = TimeSpan.FromMinutes(5) });
        using var client = await CdfTestClient.ConnectAsync(server);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/files/list", "{}")).Status);

        clock.Advance(TimeSpan.FromMinutes(6));
        var expired = await client.PostAsync("/files/list", "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Contains("expired", (string)expired.Error!["message"]!);
    }

    [Fact]
    public async Task Missing_capability_gets_403_naming_it()
    {
        using var reader = await CdfTestClient.ConnectAsync(Server, clientId: EmulatorFixture.ReaderId, clientSecret: EmulatorFixture.ReaderSecret);
        Assert.Equal(HttpStatusCode.OK, (await reader.PostAsync("/files/list", "{}")).Status);

        var write = await reader.PostAsync("/files", """{"name":"x.bin"}""");
        Assert.Equal(HttpStatusCode.Forbidden, write.Status);
        Assert.Equal(403, (int)write.Error!["code"]!);
        Assert.Contains("filesAcl:WRITE", (string)write.Error["message"]!);

        var session = await reader.PostAsync("/sessions", """{"items":[{"tokenExchange":true}]}""");
        Assert.Equal(HttpStatusCode.Forbidden, session.Status);
        Assert.Contains("sessionsAcl:CREATE", (string)session.Error!["message"]!);
    }

    [Fact]
    public async Task Wrong_or_unknown_project_gets_403()
    {
        using var reader = await CdfTestClient.ConnectAsync(Server, project: "other", clientId: EmulatorFixture.ReaderId, clientSecret: EmulatorFixture.ReaderSecret);
        var notAllowed = await reader.PostAsync("/files/list", "{}");
        Assert.Equal(HttpStatusCode.Forbidden, notAllowed.Status);
        Assert.Contains("'other'", (string)notAllowed.Error!["message"]!);

        using var full = await CdfTestClient.ConnectAsync(Server, project: "no-such-project");
        Assert.Equal(HttpStatusCode.Forbidden, (await full.PostAsync("/files/list", "{}")).Status);
    }

    [Fact]
    public async Task Token_inspect_lists_projects_and_capabilities_in_cdf_shape()
    {
        using var reader = await CdfTestClient.ConnectAsync(Server, clientId: EmulatorFixture.ReaderId, clientSecret: EmulatorFixture.ReaderSecret);
        using var response = await reader.Http.GetAsync(Server.BaseUrl + "/api/v1/token/inspect");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(EmulatorFixture.ReaderId, (string?)json["subject"]);
        Assert.Equal("emulator", (string?)json["projects"]![0]!["projectUrlName"]);
        Assert.Empty(json["projects"]![0]!["groups"]!.AsArray());
        var capability = json["capabilities"]!.AsArray().Single()!;
        Assert.Equal("READ", (string?)capability["filesAcl"]!["actions"]![0]);
        Assert.NotNull(capability["filesAcl"]!["scope"]!["all"]);
        Assert.Equal("emulator", (string?)capability["projectScope"]!["projects"]![0]);

        using var full = await CdfTestClient.ConnectAsync(Server);
        using var fullResponse = await full.Http.GetAsync(Server.BaseUrl + "/api/v1/token/inspect");
        var fullJson = JsonNode.Parse(await fullResponse.Content.ReadAsStringAsync())!;
        Assert.Equal(2, fullJson["projects"]!.AsArray().Count);
        Assert.Contains(fullJson["capabilities"]!.AsArray(), c => c!["functionsAcl"] is not null && c["projectScope"]!["allProjects"] is not null);
    }

    [Fact]
    public async Task Legacy_api_key_works_only_when_configured()
    {
        await using var server = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions
        {
            ApiKeys = [new EmulatorApiKey { Key = "legacy-key", Capabilities = ["filesAcl:READ"] }],
        });
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("api-key", "legacy-key");
        using var ok = await http.GetAsync(server.ApiUrl() + "/files");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var denied = await http.PostAsync(server.ApiUrl() + "/files", new StringContent("""{"name":"a"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        using var plain = new HttpClient();
        plain.DefaultRequestHeaders.Add("api-key", "legacy-key");
        using var refused = await plain.GetAsync(Server.ApiUrl() + "/files");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_in_the_error_envelope()
    {
        var notFound = await fixture.Client.GetAsync("/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, notFound.Status);
        Assert.Equal(404, (int)notFound.Error!["code"]!);
        Assert.NotNull(notFound.RequestId);

        using var response = await fixture.Client.Http.DeleteAsync(fixture.Client.ApiUrl + "/files");
        var wrongMethod = await ApiResponse.ReadAsync(response);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.Status);
        Assert.Equal(405, (int)wrongMethod.Error!["code"]!);
    }
}
