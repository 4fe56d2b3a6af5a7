using System.Collections;
using System.Security.Cryptography;
using MlOps.Diagnostics;
using MlOps.Migration;
using MlOps.Python;
using MlOps.Scaffolding;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Migration;

/// <summary>
/// akerbp.mlops projects taken over as they are: the hand-written fixtures in tests/Fixtures/akerbp (the seed's
/// mlops_settings.py with model_code/, and a 3.x mlops_settings.yaml with two models and common code).
/// </summary>
public sealed class AkerbpProjectImporterTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mlops-akerbp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Fixture(string name)
    {
        var source = Path.Combine(ExampleProject.RepoRoot, "tests", "Fixtures", "akerbp", name);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "__pycache__" or ".mlops" or ".pytest_cache") || relative == "mlops.settings.json")
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_root, relative))!);
            File.Copy(file, Path.Combine(_root, relative));
        }

        return _root;
    }

    private static Dictionary<string, string> Hashes(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "__pycache__" + Path.DirectorySeparatorChar))
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static AkerbpImport Import(string root, AkerbpImportOptions? options = null)
    {
        options ??= new AkerbpImportOptions();
        return AkerbpProjectImporter.Import(AkerbpProjectImporter.Plan(root, options, default), options, new RecordingReporter());
    }

    private static AkerbpFieldMapping Field(AkerbpImport import, string model, string field) =>
        Assert.Single(import.Fields, f => f.Model == model && f.Field == field);

    [Fact]
    public void A_yaml_project_with_two_models_maps_every_field_and_accounts_for_the_rest()
    {
        var root = Fixture("yaml");
        var import = Import(root);

        Assert.Equal(new[] { "forecast", "anomaly" }, import.Models);
        Assert.Equal("local", import.Platform);
        Assert.EndsWith(AkerbpSettingsReader.YamlFileName, import.Source);
        Assert.Equal(new[] { ".mlops/.gitignore", "mlops.settings.json" }, import.Files.Select(f => f.Path).OrderBy(p => p, StringComparer.Ordinal));

        var check = SettingsLoader.Check(import.SettingsPath, new Hashtable());
        Assert.Empty(check.Problems);
        var settings = check.Settings!;
        var forecast = settings.RequireModel("forecast");
        Assert.Equal(Path.Combine(root, "models", "forecast"), forecast.CodeFolder);
        Assert.Equal(Path.Combine(root, "artifacts", "forecast"), forecast.ArtifactFolder);
        Assert.Equal(new[] { "prediction", "training" }, forecast.Services);
        Assert.Equal("Forecasts production", forecast.Description);
        Assert.Equal("datascientist@akerbp.com", forecast.Owner);
        var anomaly = settings.RequireModel("anomaly");
        Assert.Equal(Path.Combine(root, "models", "anomaly", "anomaly_model.py"), anomaly.ModelFile);
        Assert.Equal(Path.Combine(root, "models", "anomaly", "test_anomaly.py"), anomaly.TestFile);
        Assert.Equal(new[] { "prediction" }, anomaly.Services);
        Assert.All(settings.Environments, e => Assert.Equal(4, e.Platform.KeepDeployments));
        Assert.True(settings.GetEnvironment("prod").IsProtected);

        Assert.Equal(AkerbpFieldStatus.Mapped, Field(import, "forecast", "models_to_keep").Status);
        // The training service's metadata came through a YAML merge key (<< : *desc); its description differs from the prediction one.
        Assert.Equal("Trains the forecast", Field(import, "forecast", "info.training.description").Value);
        Assert.Equal("$.models[0].info.training.description", Field(import, "forecast", "info.training.description").Target);
        Assert.Equal("Trains the forecast", forecast.DescriptionOf("training"));
        Assert.Equal("Forecasts production", forecast.DescriptionOf("prediction"));
        Assert.Equal("datascientist@akerbp.com", forecast.OwnerOf("training"));
        Assert.Equal(AkerbpFieldStatus.Mapped, Field(import, "forecast", "info.training.owner").Status);
        Assert.Equal("[\"rate\"]", forecast.Info["prediction"].Metadata["required_input"]);
        Assert.Equal("[\"forecast\"]", forecast.Info["training"].Metadata["output_curves"]);
        Assert.Equal(new[] { "dataset", "human_friendly_model_name" },
            import.Unmapped.Where(f => f.Model == "forecast").Select(f => f.Field).OrderBy(f => f, StringComparer.Ordinal));
        Assert.All(import.Unmapped, f => Assert.False(string.IsNullOrWhiteSpace(f.Reason)));
        Assert.Contains(import.Unmapped, f => f.Model == "anomaly" && f.Field == "helper_models");
        Assert.Equal(AkerbpFieldStatus.NotNeeded, Field(import, "anomaly", "python_version").Status);
    }

    [Fact]
    public void The_seed_settings_module_is_evaluated_by_python_and_mapped()
    {
        var root = Fixture("seed");
        var import = Import(root);

        Assert.EndsWith(AkerbpSettingsReader.PythonFileName, import.Source);
        var model = SettingsLoader.Load(import.SettingsPath, new Hashtable()).RequireModel("well_rate");
        Assert.Equal(Path.Combine(root, "model_code"), model.CodeFolder);
        Assert.Equal(Path.Combine(root, "model_code", "model.py"), model.ModelFile);
        Assert.Equal(Path.Combine(root, "model_artifact"), model.ArtifactFolder);
        Assert.Equal(new[] { "prediction", "training" }, model.Services);
        Assert.Equal("Predicts the well rate from pressure", model.Description);
        // Module-level names that are not settings (imports, private helpers) are not reported.
        Assert.DoesNotContain(import.Fields, f => f.Field is "os" or "_here");
        Assert.Equal(AkerbpFieldStatus.NotMapped, Field(import, "well_rate", "dataset").Status);
    }

    [Fact]
    public void A_settings_module_with_lists_describes_one_model_per_entry()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, AkerbpSettingsReader.PythonFileName),
            "model_names = ['alpha', 'beta']\nmodel_files = ['models/alpha/model.py', 'models/beta/model.py']\n" +
            "artifact_folders = ['artifacts/alpha', 'artifacts/beta']\nplatform = 'local'\n");
        var python = PythonLocator.Find(null, _root, new Hashtable());

        var models = AkerbpSettingsReader.FromPythonModule(Path.Combine(_root, AkerbpSettingsReader.PythonFileName), python, default);

        Assert.Equal(new object?[] { "alpha", "beta" }, models.Select(m => m["model_name"]));
        Assert.Equal("models/beta/model.py", models[1]["model_file"]);
        Assert.Equal("artifacts/beta", models[1]["artifact_folder"]);
        Assert.All(models, m => Assert.Equal("local", m["platform"]));
    }

    [Fact]
    public void It_changes_no_existing_file_and_writes_a_pipeline_only_when_asked_and_allowed()
    {
        var root = Fixture("yaml");
        var before = Hashes(root);

        var refused = Assert.Throws<MlOpsException>(() => Import(root, new AkerbpImportOptions { CiSystem = CiSystem.Bitbucket }));
        Assert.Equal(ErrorIds.ProjectFileExists, refused.ErrorId);
        Assert.Contains("bitbucket-pipelines.yml", refused.Message);
        Assert.Equal(before, Hashes(root));
        Assert.False(File.Exists(Path.Combine(root, SettingsLoader.FileName)));

        Import(root);
        var after = Hashes(root);
        Assert.Equal(before, after.Where(p => before.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value));
        Assert.Equal(new[] { Path.Combine(".mlops", ".gitignore"), SettingsLoader.FileName },
            after.Keys.Except(before.Keys).OrderBy(k => k, StringComparer.Ordinal));

        var again = Assert.Throws<MlOpsException>(() => Import(root));
        Assert.Equal(ErrorIds.ProjectFileExists, again.ErrorId);

        var forced = Import(root, new AkerbpImportOptions { CiSystem = CiSystem.Bitbucket, Force = true });
        Assert.Contains(forced.Files, f => f.Path == "bitbucket-pipelines.yml" && f.Status == ScaffoldFileStatus.Replaced);
        Assert.Contains("Install-PSResource", File.ReadAllText(Path.Combine(root, "bitbucket-pipelines.yml")));
    }

    [Fact]
    public void A_cdf_project_with_its_connection_gets_cdf_environments_with_akerbps_secret_variable()
    {
        var root = Fixture("yaml");
        File.WriteAllText(Path.Combine(root, AkerbpSettingsReader.YamlFileName),
            File.ReadAllText(Path.Combine(root, AkerbpSettingsReader.YamlFileName)).Replace("platform: local", "platform: cdf")
                .Replace("python_version: py39\nhelper_models", "python_version: py312\nhelper_models"));

        var withoutConnection = Import(root);
        Assert.Equal("local", withoutConnection.Platform);
        Assert.Contains("-CdfProject", Field(withoutConnection, "forecast", "platform").Reason);

        var import = Import(root, new AkerbpImportOptions
        {
            Force = true, CdfProject = "akerbp-dev", CdfBaseUrl = "https://westeurope-1.cognitedata.com", CdfClientId = "client", CdfTenantId = "tenant",
        });

        Assert.Equal("cdf", import.Platform);
        var settings = SettingsLoader.Load(import.SettingsPath, new Hashtable());
        Assert.All(settings.Environments, e =>
        {
            Assert.Equal("cdf", e.Registry.Type);
            Assert.Equal("cdf", e.Platform.Type);
            Assert.Equal("py312", e.Platform.Functions!.Runtime);
            Assert.Equal("akerbp-dev", e.Registry.Cdf!.Project);
            Assert.Equal(AkerbpImportOptions.DefaultClientSecretVariable, e.Registry.Cdf.ClientSecretVariable);
        });
        // forecast asks for py39, which CDF no longer offers; anomaly's py312 is used.
        Assert.Equal(AkerbpFieldStatus.NotMapped, Field(import, "forecast", "python_version").Status);
        Assert.Contains("py310", Field(import, "forecast", "python_version").Reason);
        Assert.Equal(AkerbpFieldStatus.Mapped, Field(import, "anomaly", "python_version").Status);
        Assert.Equal(AkerbpFieldStatus.Mapped, Field(import, "forecast", "dataset").Status);
        Assert.All(settings.Environments, e => Assert.Equal("mlops", e.Registry.Cdf!.DataSetExternalId));
    }

    [Fact]
    public void Unreadable_settings_are_clear_errors_that_write_nothing()
    {
        Directory.CreateDirectory(_root);
        var missing = Assert.Throws<MlOpsException>(() => AkerbpProjectImporter.Plan(_root, new AkerbpImportOptions(), default));
        Assert.Equal(ErrorIds.AkerbpSettingsNotFound, missing.ErrorId);

        File.WriteAllText(Path.Combine(_root, AkerbpSettingsReader.YamlFileName), "model_name: a\nmodel_file: [unclosed\n");
        var yaml = Assert.Throws<MlOpsException>(() => AkerbpProjectImporter.Plan(_root, new AkerbpImportOptions(), default));
        Assert.Equal(ErrorIds.InvalidAkerbpSettings, yaml.ErrorId);
        Assert.Contains("line", yaml.Message);

        File.WriteAllText(Path.Combine(_root, AkerbpSettingsReader.YamlFileName), "model_name: has-dash\nmodel_file: m/model.py\n");
        var name = Assert.Throws<MlOpsException>(() => AkerbpProjectImporter.Plan(_root, new AkerbpImportOptions(), default));
        Assert.Equal(ErrorIds.InvalidAkerbpSettings, name.ErrorId);
        Assert.Contains("has-dash", name.Message);

        File.Delete(Path.Combine(_root, AkerbpSettingsReader.YamlFileName));
        File.WriteAllText(Path.Combine(_root, AkerbpSettingsReader.PythonFileName), "import os\nmodel_name = os.environ['NOT_SET_ANYWHERE_42']\n");
        var python = Assert.Throws<MlOpsException>(() => AkerbpProjectImporter.Plan(_root, new AkerbpImportOptions(), default));
        Assert.Equal(ErrorIds.InvalidAkerbpSettings, python.ErrorId);
        Assert.Contains("NOT_SET_ANYWHERE_42", python.Message);
        Assert.Single(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void The_framework_pin_is_recognised_not_installed_and_commented_out_in_packages()
    {
        Directory.CreateDirectory(_root);
        var path = Path.Combine(_root, "requirements.model");
        File.WriteAllText(path, "# model needs\nakerbp-mlops==MLOPS_VERSION\nscikit-learn==1.2.1\nAkerbp.MLOps==3.5.0  # pinned for real\n");

        var requirements = RequirementsFile.Read(path);

        Assert.Equal(new[] { ("scikit-learn", "1.2.1") }, requirements.Packages);
        Assert.Equal(2, requirements.FrameworkPins.Count);
        var packaged = System.Text.Encoding.UTF8.GetString(requirements.PackagedContent()).Split('\n');
        Assert.Contains("scikit-learn==1.2.1", packaged);
        Assert.DoesNotContain(packaged, l => l.TrimStart().StartsWith("akerbp", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(packaged, l => l.StartsWith("# akerbp-mlops==MLOPS_VERSION", StringComparison.Ordinal));
    }
}
