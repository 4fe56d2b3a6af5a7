using System.Diagnostics;
using System.Runtime.CompilerServices;
using Xunit;
using Xunit.Abstractions;

namespace MlOps.CdfEmulator.Tests;

/// <summary>
/// Runs sdk-check/check.mjs (Cognite's official JS SDK) against an emulator, so the emulator's shapes are checked
/// by a real client and not only by our own expectations. Needs node and npm on PATH; runs `npm ci` the first time.
/// Without node the test logs why and returns (xUnit 2 cannot skip at run time).
/// </summary>
public sealed class SdkCheckTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Official_js_sdk_uploads_lists_retrieves_and_downloads_through_the_emulator()
    {
        var folder = Path.Combine(SourceFolder(), "sdk-check");
        if (FindOnPath("node") is null || FindOnPath("npm") is null)
        {
            output.WriteLine("node/npm not found on PATH; SDK check not run.");
            return;
        }

        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@cognite", "sdk")))
        {
            var install = await RunAsync(folder, "npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>());
            Assert.True(install.ExitCode == 0, "npm ci failed:\n" + install.Output);
        }

        await using var server = await CdfEmulatorServer.StartAsync(new CdfEmulatorOptions { MaxPageSize = 2 });
        var run = await RunAsync(folder, "node", ["check.mjs"], new Dictionary<string, string>
        {
            ["CDF_BASE_URL"] = server.BaseUrl,
            ["CDF_PROJECT"] = server.Project,
            ["CDF_TOKEN_URL"] = server.TokenUrl,
            ["CDF_CLIENT_ID"] = EmulatorClient.DefaultClientId,
            ["CDF_CLIENT_SECRET"] = EmulatorClient.DefaultClientSecret,
        });
        output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, "SDK check failed:\n" + run.Output);
        Assert.Contains("SDK CHECK OK", run.Output);

        output.WriteLine(string.Join("\n", server.Requests.All.Select(r => r.Route + " " + r.Query + " -> " + r.Status)));

        // The SDK identified itself and never sent its bearer token to the upload URLs.
        var create = server.Requests.Matching("POST /files").First();
        Assert.True(create.Headers.ContainsKey("x-cdp-sdk"), "x-cdp-sdk header");
        Assert.All(server.Requests.Matching("PUT /upload/*"), r => Assert.False(r.Headers.ContainsKey("Authorization")));
        Assert.True(server.Requests.Matching("POST /files/list").Count(r => r.Body?.Contains("cursor") == true) >= 1, "listing used a cursor");
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .SelectMany(d => new[] { Path.Combine(d, name), Path.Combine(d, name + ".cmd"), Path.Combine(d, name + ".exe") })
            .FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string folder, string program, string[] arguments,
        Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(FindOnPath(program)!)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
