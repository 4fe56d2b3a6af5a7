using System.IO.Compression;
using System.Text.Json;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Services;
using Xunit;

namespace MlOps.Core.Tests.Services;

public class PackagingTests : IClassFixture<ExampleProjectFixture>
{
    private readonly ExampleProject _example;

    public PackagingTests(ExampleProjectFixture fixture)
    {
        _example = fixture.Project;
    }

    private ServicePackage Build(ServiceKind kind, string output, ModelVersion? version)
    {
        var settings = _example.Settings;
        var registry = new ProjectRegistry(settings);
        return ServicePackageBuilder.Build(settings, settings.Models[0], settings.GetEnvironment("test"), kind, version,
            version == null ? null : registry.Open(version), output, NullReporter.Instance, default);
    }

    [Fact]
    public void A_prediction_package_has_the_layout_CDF_Functions_expects()
    {
        var version = _example.Publish();
        var package = Build(ServiceKind.Prediction, Path.Combine(_example.Root, "out1"), version);
        using var zip = ZipFile.OpenRead(package.Path);
        var names = zip.Entries.Select(e => e.FullName).ToList();

        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), names);
        Assert.Contains("handler.py", names);
        Assert.Contains("mlops_runtime/service.py", names);
        Assert.Contains("mlops_runtime/server.py", names);
        Assert.Contains("mlops_service_settings.json", names);
        Assert.Contains("requirements.txt", names);
        Assert.Contains("models/diabetes/model.py", names);
        Assert.Contains("models/diabetes/test_model.py", names);
        Assert.Contains("models/common_code/features.py", names);
        Assert.Contains("artifact/model.pkl", names);
        Assert.Contains("artifact/features.json", names);
        Assert.DoesNotContain(names, n => n.Contains("__pycache__") || n.EndsWith(".pyc") || n.StartsWith("artifacts/"));
        Assert.Equal($"diabetes-prediction-test-{version.Version}.zip", Path.GetFileName(package.Path));

        using var settings = JsonDocument.Parse(new StreamReader(zip.GetEntry("mlops_service_settings.json")!.Open()).ReadToEnd());
        Assert.Equal("diabetes-prediction-test", settings.RootElement.GetProperty("serviceName").GetString());
        Assert.Equal(version.ModelId, settings.RootElement.GetProperty("modelId").GetString());
        Assert.Equal("models.diabetes.model", settings.RootElement.GetProperty("modelModule").GetString());
        Assert.Equal("models.diabetes.test_model", settings.RootElement.GetProperty("testModule").GetString());
        Assert.Equal(File.ReadAllText(Path.Combine(_example.Root, "models/diabetes/requirements.model")),
            new StreamReader(zip.GetEntry("requirements.txt")!.Open()).ReadToEnd());
        Assert.Equal(File.ReadAllBytes(Path.Combine(version.Location, "files", "model.pkl")), Read(zip, "artifact/model.pkl"));
    }

    [Fact]
    public void Packages_are_deterministic_and_the_training_package_has_no_artifact()
    {
        var version = _example.Publish();
        var first = Build(ServiceKind.Prediction, Path.Combine(_example.Root, "a"), version);
        var second = Build(ServiceKind.Prediction, Path.Combine(_example.Root, "b"), version);
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(File.ReadAllBytes(first.Path), File.ReadAllBytes(second.Path));
        // Nothing of the moment it was built goes in (no sleeping between two builds to find out): every entry has one fixed time.
        using (var built = ZipFile.OpenRead(first.Path))
        {
            Assert.All(built.Entries, e => Assert.Equal(new DateTime(2000, 1, 1), e.LastWriteTime.DateTime));
        }

        var training = Build(ServiceKind.Training, Path.Combine(_example.Root, "c"), null);
        using var zip = ZipFile.OpenRead(training.Path);
        Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("artifact/"));
        Assert.Equal("diabetes-training-test.zip", Path.GetFileName(training.Path));
    }

    [Fact]
    public void A_package_never_contains_secrets_from_the_environment()
    {
        const string secret = "s3cr3t-Zq9-do-not-ship";
        Environment.SetEnvironmentVariable("COGNITE_CLIENT_SECRET", secret);
        try
        {
            var package = Build(ServiceKind.Prediction, Path.Combine(_example.Root, "secret"), _example.Publish());
            using var zip = ZipFile.OpenRead(package.Path);
            foreach (var entry in zip.Entries)
            {
                Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(Read(zip, entry.FullName)));
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("COGNITE_CLIENT_SECRET", null);
        }
    }

    [Fact]
    public void A_damaged_artifact_version_is_not_packaged()
    {
        var version = _example.Publish();
        var stored = new FileInfo(Path.Combine(version.Location, "files", "features.json")) { IsReadOnly = false };
        File.WriteAllText(stored.FullName, "[\"tampered\"]");
        var error = Assert.Throws<MlOpsException>(() => Build(ServiceKind.Prediction, Path.Combine(_example.Root, "bad"), version));
        Assert.Equal(ErrorIds.ContentHashMismatch, error.ErrorId);
        Assert.Empty(Directory.GetFiles(Path.Combine(_example.Root, "bad")));
    }

    [Fact]
    public void Requirements_must_be_pinned()
    {
        var file = Path.Combine(_example.Root, "loose.requirements");
        File.WriteAllText(file, "# ok\nnumpy==1.24.2\nscikit-learn>=1.0\npandas\n");
        var error = Assert.Throws<MlOpsException>(() => RequirementsFile.Read(file));
        Assert.Equal(ErrorIds.InvalidModelCode, error.ErrorId);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("line 4", error.Message);
        Assert.Equal(new[] { ("numpy", "1.24.2") }, RequirementsFile.Read(WriteFile("pinned.txt", "numpy == 1.24.2  # comment\n\n")).Packages);
    }

    [Fact]
    public void A_requirements_file_that_cannot_be_read_is_InvalidModelCode()
    {
        var error = Assert.Throws<MlOpsException>(() => RequirementsFile.Read(Path.Combine(_example.Root, "gone.requirements")));
        Assert.Equal(ErrorIds.InvalidModelCode, error.ErrorId);
        Assert.Contains("gone.requirements", error.Message);
    }

    [Fact]
    public void Missing_packages_are_reported_with_the_fix()
    {
        var file = WriteFile("missing.txt", "numpy==1.24.2\nsurely-not-installed-pkg==1.0\n");
        var error = Assert.Throws<MlOpsException>(() => RequirementsFile.Read(file).CheckInstalled(_example.Python, NullReporter.Instance, default));
        Assert.Equal(ErrorIds.PythonPackageMissing, error.ErrorId);
        Assert.Contains("surely-not-installed-pkg==1.0", error.Message);
        Assert.DoesNotContain("numpy", error.Message);
        Assert.Contains("pip install", error.RecommendedAction);
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_example.Root, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>One trained example project per test class.</summary>
public sealed class ExampleProjectFixture : IDisposable
{
    public ExampleProject Project { get; } = new();

    public void Dispose() => Project.Dispose();
}
