using MlOps.CdfEmulator;
using MlOps.Core.Tests.Cdf;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>Save-MlModelArtifact from the CDF store, traced: what it unpacks is on disk before the saved folder appears.</summary>
[Trait("Tier", "Integration")]
public sealed class CdfSaveDurabilityTests : IAsyncLifetime
{
    private const string SecretVariable = "MLOPS_CDF_SAVE_DURABILITY_SECRET";
    private readonly TempProject _project = new();
    private CdfEmulatorServer _cdf = null!;

    public async Task InitializeAsync()
    {
        _cdf = await CdfTestSetup.StartAsync();
        // The store worker inherits it: the secret reaches the traced process through its environment, as in a real session.
        Environment.SetEnvironmentVariable(SecretVariable, CdfTestSetup.Secret);
        _project.WithModelFolder("m").WithSettings($$"""
            { "models": [ { "name": "m", "codeFolder": "models/m" } ],
              "environments": { "cloud": { "registry": { "type": "cdf", "project": "{{_cdf.Project}}", "baseUrl": "{{_cdf.BaseUrl}}",
                "clientId": "{{CdfTestSetup.ClientId}}", "tokenUrl": "{{_cdf.TokenUrl}}", "clientSecretVariable": "{{SecretVariable}}" } } } }
            """);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(SecretVariable, null);
        await _cdf.DisposeAsync();
        _project.Dispose();
    }

    [Fact]
    public async Task A_save_from_CDF_flushes_every_file_it_unpacks_and_every_folder_before_the_rename_that_shows_the_folder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.True(File.Exists("/usr/bin/strace"), "This test traces the saver's system calls with strace (apt install strace; .ci/run installs it).");
        // Small files (flushed together at the end) and one larger than DeferredFlush.MaximumLength (flushed on its own).
        var source = _project.MakeArtifact("src", files: 3, bytesEach: 100_000);
        var large = new byte[DeferredFlush.MaximumLength + 4096];
        new Random(5).NextBytes(large);
        File.WriteAllBytes(Path.Combine(source, "sub", "weights.bin"), large);
        var version = new ProjectRegistry(SettingsLoader.Load(_project.SettingsPath, TempProject.NoEnvironment))
            .Publish("m", "cloud", source, null, NullReporter.Instance, default);
        var destination = Path.Combine(_project.Root, "saved", "m-1");

        var calls = await MultiProcessTests.TraceFlushesAsync(Path.Combine(_project.Root, "strace-cdf-save.log"), "project", _project.SettingsPath,
            "save", "m", "cloud", version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), destination);

        var shown = calls.FindIndex(l => l.Contains("rename", StringComparison.Ordinal) && l.Contains($"\"{destination}\"", StringComparison.Ordinal));
        Assert.True(shown > 0, "No rename showed the saved folder:\n" + string.Join("\n", calls));
        var temp = System.Text.RegularExpressions.Regex.Match(calls[shown], "rename\\(\"([^\"]+)\"").Groups[1].Value;
        // A CDF version records no file list: the source's files are the ones to look for.
        var files = FolderArtifactSource.ListFiles(source);
        Assert.Contains(files, f => f.Length > DeferredFlush.MaximumLength);
        Assert.Contains(files, f => f.Length <= DeferredFlush.MaximumLength);
        foreach (var file in files)
        {
            Assert.True(MultiProcessTests.FlushedBetween(calls, Path.Combine(temp, file.Path), 0, shown), $"{file.Path} was not flushed before the saved folder appeared.");
        }

        Assert.True(MultiProcessTests.FlushedBetween(calls, temp, 0, shown), "The saved folder's entries were not flushed before it appeared.");
        Assert.True(MultiProcessTests.FlushedBetween(calls, Path.Combine(temp, "sub"), 0, shown), "The nested folder's entries were not flushed before it appeared.");
        Assert.Equal(large, File.ReadAllBytes(Path.Combine(destination, "sub", "weights.bin")));
    }
}
