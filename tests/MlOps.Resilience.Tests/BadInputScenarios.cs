using MlOps.CdfEmulator;
using MlOps.Diagnostics;
using MlOps.Registry;
using Xunit;

namespace MlOps.Resilience.Tests;

/// <summary>
/// Bad input the engine sees directly (most bad input is driven through the built module in
/// tests/Pester/Resilience.Tests.ps1): each gets an MlOpsException with a stable ErrorId and changes nothing.
/// </summary>
public sealed class BadInputScenarios
{
    [Theory]
    [InlineData("")]
    [InlineData("diabetes")]
    [InlineData("diabetes/test")]
    [InlineData("diabetes/test/0")]
    [InlineData("diabetes/test/-3")]
    [InlineData("diabetes/test/three")]
    [InlineData("diabetes/Test Env/1")]
    [InlineData("../../etc/1")]
    [InlineData("diabetes/test/1/2")]
    public void A_malformed_model_id_is_InvalidModelVersionId(string id)
    {
        var error = Assert.Throws<MlOpsException>(() => ModelVersionId.Parse(id));
        Assert.Equal(ErrorIds.InvalidModelVersionId, error.ErrorId);
        Assert.Contains("<model>/<environment>/<version>", error.RecommendedAction);
    }

    [Fact]
    public async Task Metadata_within_the_local_limits_but_too_big_for_CDF_with_MlOps_keys_is_refused_before_anything_is_created()
    {
        await using var cdf = await Cdf.StartAsync();
        using var client = Cdf.Client(cdf);
        using var project = new ResilienceProject(cdf);
        var artifact = project.MakeArtifact("a");
        var metadata = new Dictionary<string, string> { ["notes"] = new string('x', MetadataRules.MaxValueBytes - 100) };
        MetadataRules.Validate(metadata);   // fine for a local store

        var error = Assert.Throws<MlOpsException>(() => project.Registry(client).Publish("m", "cloud", artifact, metadata, NullReporter.Instance, default));

        Assert.Equal(ErrorIds.InvalidMetadata, error.ErrorId);
        Assert.Empty(cdf.Files.All(cdf.Project));
        Assert.Empty(cdf.Requests.Matching("POST /files"));
        var temp = Path.Combine(project.Root, "tmp");
        Assert.False(Directory.Exists(temp) && Directory.GetFiles(temp).Length > 0, "an archive was left behind");
        LeakCheck.AssertNoSecret(cdf, [error.ToString()], project.Root);
    }

    [Fact]
    public void A_damaged_version_manifest_is_RegistryCorrupt_and_the_store_is_left_as_it_is()
    {
        using var project = new ResilienceProject();
        var registry = project.Registry(null);
        var version = registry.Publish("m", "test", project.MakeArtifact("a"), null, NullReporter.Instance, default);
        var manifest = new FileInfo(Path.Combine(version.Location, "manifest.json"));
        manifest.Attributes &= ~FileAttributes.ReadOnly;
        File.WriteAllText(manifest.FullName, "{ \"format\": 1, \"files\": [");
        var before = Snapshot(project.LocalStorePath("test"));

        var error = Assert.Throws<MlOpsException>(() => registry.For("test").GetVersion("m", "test", 1));
        Assert.Equal(ErrorIds.RegistryCorrupt, error.ErrorId);
        Assert.Contains("manifest.json", error.Message);
        Assert.Equal(ErrorIds.RegistryCorrupt, Assert.Throws<MlOpsException>(() => registry.FindOne("m", "test", null)).ErrorId);
        Assert.Equal(before, Snapshot(project.LocalStorePath("test")));
    }

    private static string Snapshot(string folder) => string.Join("\n", Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order()
        .Select(f => f + " " + new FileInfo(f).Length + " " + File.GetLastWriteTimeUtc(f).Ticks));
}
