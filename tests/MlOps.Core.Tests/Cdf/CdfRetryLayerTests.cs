using MlOps.Cdf;
using MlOps.CdfEmulator;
using MlOps.Diagnostics;
using MlOps.Platforms;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Cdf;

/// <summary>A read that keeps failing is tried as often as the client's pipeline allows, once: no second layer multiplies it.</summary>
[Trait("Tier", "Integration")]
public sealed class CdfRetryLayerTests : IAsyncLifetime
{
    private CdfEmulatorServer _cdf = null!;

    public async Task InitializeAsync() => _cdf = await CdfTestSetup.StartAsync();

    public async Task DisposeAsync() => await _cdf.DisposeAsync();

    private CdfFunctionsPlatform Platform(CdfClient client)
    {
        var connection = new CdfConnectionSettings(_cdf.Project, _cdf.BaseUrl, "/mlops", null, _cdf.TokenUrl, null, CdfTestSetup.ClientId,
            "MLOPS_UNUSED_SECRET", null, Array.Empty<string>());
        var settings = new CdfFunctionsSettings(connection, "py311", null, null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), null, null);
        return new CdfFunctionsPlatform(settings, 3, client, CdfAuthKind.ClientCredentials, () => new Dictionary<string, string>(),
            Path.Combine(Path.GetTempPath(), "mlops-retry-" + Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public void A_failing_read_of_the_platform_is_attempted_as_often_as_the_client_allows_and_no_more()
    {
        using var client = CdfTestSetup.Client(_cdf);
        var platform = Platform(client);
        _cdf.Faults.Always("POST /files/list", FaultAction.ServiceUnavailable());
        var before = _cdf.Requests.Matching("POST /files/list").Count;

        var error = Assert.Throws<MlOpsException>(() => platform.List().ToList());
        Assert.Equal(CdfErrorIds.CdfServiceUnavailable, error.ErrorId);
        // The client's pipeline makes its attempts (6 by default); the platform used to repeat that whole series 6 times.
        Assert.Equal(client.Options.Retry.MaxAttempts, _cdf.Requests.Matching("POST /files/list").Count - before);
    }

    [Fact]
    public void Through_a_client_without_retries_the_platform_repeats_reads_itself()
    {
        var options = CdfTestSetup.Options(_cdf);
        options.Retry.MaxAttempts = 1;
        using var client = new CdfClient(options);
        var platform = Platform(client);
        platform.TransientAttempts = 4;
        platform.TransientDelay = TimeSpan.FromMilliseconds(1);
        _cdf.Faults.Always("POST /files/list", FaultAction.ServiceUnavailable());
        var before = _cdf.Requests.Matching("POST /files/list").Count;

        Assert.Throws<MlOpsException>(() => platform.List().ToList());
        Assert.Equal(4, _cdf.Requests.Matching("POST /files/list").Count - before);
    }
}
