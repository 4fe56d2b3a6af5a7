using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests.Cdf;

[Trait("Tier", "Integration")]
public class CdfSecretLeakTests
{
    [Fact]
    public async Task A_failing_run_shows_the_client_secret_only_in_the_token_request_body()
    {
        await using var cdf = await CdfTestSetup.StartAsync();
        var retries = new List<CdfRetryNotice>();
        var texts = new List<string>();
        using var client = CdfTestSetup.Client(cdf, retries: retries);
        using var reader = CdfTestSetup.Client(cdf, CdfTestSetup.ReaderId, CdfTestSetup.ReaderSecret, retries);
        using var wrong = CdfTestSetup.Client(cdf, secret: CdfTestSetup.Secret + "-wrong", retries: retries);
        texts.Add(client.ToString());
        texts.Add(client.Options.Credentials!.ToString());

        cdf.Faults.Script("POST /oauth2/token", FaultAction.ServiceUnavailable());     // retried token request
        cdf.Faults.Script("POST /files/list", FaultAction.TooManyRequests(1), FaultAction.Status(502));
        cdf.Faults.Script("POST /files", FaultAction.FailAfterCommit(503));
        await client.Files.ListAllAsync();
        await Collect(texts, () => client.Files.CreateAsync(new FileCreate { ExternalId = "leak", Name = "leak" }));
        await Collect(texts, () => client.Files.CreateAsync(new FileCreate { ExternalId = "leak", Name = "leak" }));   // 409
        await Collect(texts, () => client.Files.RetrieveAsync([Identity.Create("missing")]));
        await Collect(texts, () => reader.Files.CreateAsync(new FileCreate { Name = "denied" }));                  // 403
        await Collect(texts, () => wrong.Files.ListAllAsync());                                                   // 401 from the IdP
        cdf.Faults.Always("POST /files/byids", FaultAction.DropConnection());
        await Collect(texts, () => client.Files.RetrieveAsync([Identity.Create("leak")]));
        texts.AddRange(retries.Select(r => r.ToString()));

        Assert.True(texts.Count >= 8);
        Assert.NotEmpty(retries);
        foreach (var secret in new[] { CdfTestSetup.Secret, CdfTestSetup.ReaderSecret })
        {
            Assert.All(texts, t => Assert.DoesNotContain(secret, t));
            var seen = cdf.Requests.Containing(secret);
            Assert.NotEmpty(seen);
            Assert.All(seen, r =>
            {
                Assert.Equal("POST /oauth2/token", r.Route);
                Assert.Contains("client_secret=", r.Body);
                Assert.All(r.Headers.Values, v => Assert.DoesNotContain(secret, v));
                Assert.DoesNotContain(secret, r.Query);
            });
        }

        // Access tokens are secrets too: they appear only in Authorization headers, never in messages.
        foreach (var token in cdf.Tokens.Issued.Select(t => t.AccessToken))
        {
            Assert.All(texts, t => Assert.DoesNotContain(token, t));
            Assert.All(cdf.Requests.Containing(token).Where(r => r.Route != "POST /oauth2/token"),
                r => Assert.Equal("Bearer " + token, r.Headers["Authorization"]));
        }
    }

    private static async Task Collect(List<string> texts, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<MlOpsException>(action);
        texts.Add(e.ToString());
        texts.Add(e.Message);
        texts.Add(e.RecommendedAction ?? "");
        texts.Add(e.Target?.ToString() ?? "");
        for (var inner = e.InnerException; inner != null; inner = inner.InnerException)
        {
            texts.Add(inner.ToString());
        }
    }
}
