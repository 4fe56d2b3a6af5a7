using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests.Cdf;

[Trait("Tier", "Integration")]
public class CdfAuthTests
{
    [Fact]
    public async Task Token_is_fetched_once_cached_and_sent_as_bearer_with_the_app_header()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);

        await client.Files.ListAllAsync();
        await client.Files.ListAllAsync();

        Assert.Equal(1, client.TokensFetched);
        var tokenRequest = Assert.Single(cdf.Requests.Matching("POST /oauth2/token"));
        Assert.Contains("grant_type=client_credentials", tokenRequest.Body);
        Assert.Contains("scope=" + Uri.EscapeDataString(cdf.BaseUrl + "/.default"), tokenRequest.Body);
        Assert.Equal("application/x-www-form-urlencoded", tokenRequest.Headers["Content-Type"]);
        var lists = cdf.Requests.Matching("POST /files/list");
        Assert.Equal(2, lists.Count);
        Assert.All(lists, r =>
        {
            Assert.StartsWith("Bearer emu_", r.Headers["Authorization"]);
            Assert.Equal("MlOps.Tests", r.Headers["x-cdp-app"]);
        });
    }

    [Fact]
    public async Task Token_is_refreshed_before_it_expires()
    {
        var clock = new EmulatorClock();
        await using var cdf = await CdfTestSetup.StartAsync(tokenLifetime: TimeSpan.FromMinutes(10), clock: clock);
        using var client = CdfTestSetup.Client(cdf);

        await client.Files.ListAllAsync();
        clock.Advance(TimeSpan.FromMinutes(8));                  // still 2 minutes left: the cached token is reused
        await client.Files.ListAllAsync();
        Assert.Equal(1, client.TokensFetched);

        clock.Advance(TimeSpan.FromMinutes(1.5));                // 30 s left, inside the 60 s margin: renewed first
        await client.Files.ListAllAsync();

        Assert.Equal(2, client.TokensFetched);
        Assert.Equal(2, cdf.Requests.Matching("POST /oauth2/token").Count);
        Assert.All(cdf.Requests.Matching("POST /files/list"), r => Assert.Equal(200, r.Status));
        var tokens = cdf.Requests.Matching("POST /files/list").Select(r => r.Headers["Authorization"]).Distinct().ToList();
        Assert.Equal(2, tokens.Count);
    }

    [Fact]
    public async Task A_revoked_token_is_replaced_and_the_request_succeeds()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        await client.Files.ListAllAsync();
        foreach (var token in cdf.Tokens.Issued)
        {
            cdf.Tokens.Revoke(token.AccessToken);
        }

        await client.Files.ListAllAsync();

        Assert.Equal(2, client.TokensFetched);
        Assert.Equal([200, 401, 200], cdf.Requests.Matching("POST /files/list").Select(r => r.Status));
    }

    [Fact]
    public async Task Wrong_secret_gives_a_clear_authentication_error_without_the_secret()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        const string wrong = "Wr0ng-S3cret-Do-Not-Print";
        using var client = CdfTestSetup.Client(cdf, secret: wrong);

        var e = await Assert.ThrowsAsync<MlOpsException>(() => client.Files.ListAllAsync());

        Assert.Equal(CdfErrorIds.CdfAuthenticationFailed, e.ErrorId);
        Assert.Equal(MlOpsErrorKind.SecurityError, e.Kind);
        Assert.Contains("401", e.Message);
        Assert.Contains("invalid_client", e.Message);
        Assert.Contains("X-Request-ID", e.Message);
        Assert.DoesNotContain(wrong, e.ToString());
        Assert.DoesNotContain(wrong, e.Target!.ToString());
        Assert.Contains("client secret", e.RecommendedAction);
        Assert.Empty(cdf.Requests.Matching("POST /files/list"));      // no API call without a token
        Assert.Single(cdf.Requests.Matching("POST /oauth2/token"));  // a 401 from the IdP is not retried
    }

    [Theory]
    [InlineData(503, "CdfServiceUnavailable")]
    [InlineData(502, "CdfServiceUnavailable")]
    [InlineData(429, "CdfThrottled")]
    public async Task An_identity_provider_that_is_down_or_throttling_is_not_reported_as_refused_credentials(int status, string errorId)
    {
        // Found by the resilience suite: a token endpoint answering 5xx after every retry was reported as
        // CdfAuthenticationFailed ("refused the client credentials"), sending users after a secret that was fine.
        await using var cdf = await CdfTestSetup.StartAsync();
        using var client = CdfTestSetup.Client(cdf);
        cdf.Faults.Always("POST /oauth2/token", FaultAction.Status(status, status == 429 ? 1 : null));

        var e = await Assert.ThrowsAsync<MlOpsException>(() => client.Files.ListAllAsync());

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(MlOpsErrorKind.ResourceUnavailable, e.Kind);
        Assert.Contains("token endpoint", e.Message);
        Assert.Contains(status.ToString(), e.Message);
        Assert.DoesNotContain("refused the client credentials", e.Message);
        Assert.True(cdf.Requests.Matching("POST /oauth2/token").Count > 1, "the token request was retried");
    }

    [Fact]
    public async Task Missing_capability_gives_403_naming_it()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var reader = CdfTestSetup.Client(cdf, CdfTestSetup.ReaderId, CdfTestSetup.ReaderSecret);
        await reader.Files.ListAllAsync();

        var e = await Assert.ThrowsAsync<MlOpsException>(() => reader.Files.CreateAsync(new FileCreate { Name = "x.bin", ExternalId = "x" }));

        Assert.Equal(CdfErrorIds.CdfAccessDenied, e.ErrorId);
        Assert.Contains("HTTP 403", e.Message);
        Assert.Contains("filesAcl:WRITE", e.Message);
        Assert.Contains("filesAcl:WRITE", e.RecommendedAction);
        var error = Assert.IsType<CdfError>(e.Target);
        Assert.Equal(403, error.StatusCode);
        Assert.Equal(cdf.Requests.Matching("POST /files").Single().RequestId, error.RequestId);
        Assert.Contains(error.RequestId!, e.Message);
    }

    [Fact]
    public async Task Token_inspect_lists_projects_and_capabilities_and_tells_what_is_missing()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        using var reader = CdfTestSetup.Client(cdf, CdfTestSetup.ReaderId, CdfTestSetup.ReaderSecret);

        var inspection = await reader.Token.InspectAsync();

        Assert.Equal(["mlops-test"], inspection.Projects);
        Assert.True(inspection.Has(CdfCapabilities.FilesRead, "mlops-test"));
        Assert.False(inspection.Has(CdfCapabilities.FilesWrite, "mlops-test"));
        Assert.Equal([CdfCapabilities.FilesWrite, CdfCapabilities.SessionsCreate],
            inspection.Missing([CdfCapabilities.FilesRead, CdfCapabilities.FilesWrite, CdfCapabilities.SessionsCreate], "mlops-test"));
    }

    [Fact]
    public async Task Legacy_api_key_is_sent_in_the_api_key_header()
    {
        const string key = "legacy-api-key-0123456789";
        await using var cdf = await CdfTestSetup.StartAsync(apiKeys: [new EmulatorApiKey { Key = key }]);
        var options = CdfTestSetup.Options(cdf);
        options.Credentials = CdfCredentials.ApiKey(key);
        using var client = new CdfClient(options);

        await client.Files.ListAllAsync();

        var request = Assert.Single(cdf.Requests.Matching("POST /files/list"));
        Assert.Equal(key, request.Headers["api-key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Empty(cdf.Requests.Matching("POST /oauth2/token"));
        Assert.DoesNotContain(key, options.ToString());
    }

    [Fact]
    public void Credentials_and_options_mask_secrets()
    {
        var credentials = CdfCredentials.EntraClientCredentials("my-tenant", "app-id", CdfTestSetup.Secret);
        var options = new CdfClientOptions { BaseUrl = "https://westeurope-1.cognitedata.com", Project = "p", Credentials = credentials };

        Assert.Equal("https://login.microsoftonline.com/my-tenant/oauth2/v2.0/token", credentials.TokenUrl);
        Assert.Contains("secret ***", credentials.ToString());
        Assert.DoesNotContain(CdfTestSetup.Secret, credentials.ToString());
        Assert.DoesNotContain(CdfTestSetup.Secret, options.ToString());
        Assert.DoesNotContain(CdfTestSetup.Secret, SessionCreate.FromClientCredentials("app-id", CdfTestSetup.Secret).ToString());
        Assert.DoesNotContain("s3", new FunctionCreate { Name = "f", FileId = 1, Secrets = new() { ["key"] = "s3cr3t-value" } }.ToString());
        Assert.DoesNotContain(CdfTestSetup.Secret, string.Join(",", typeof(CdfCredentials).GetProperties().Select(p => p.GetValue(credentials)?.ToString())));
    }

    [Fact]
    public void Invalid_options_are_reported_before_any_request()
    {
        var e = Assert.Throws<MlOpsException>(() => new CdfClient(new CdfClientOptions { BaseUrl = "not a url", Project = "p" }));
        Assert.Equal(CdfErrorIds.CdfInvalidOptions, e.ErrorId);
        e = Assert.Throws<MlOpsException>(() => new CdfClient(new CdfClientOptions { BaseUrl = "https://x.cognitedata.com", Project = "p" }));
        Assert.Contains("Credentials", e.Message);
    }
}
