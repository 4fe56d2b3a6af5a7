using System.Collections;
using MlOps.Diagnostics;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Settings;

public class SettingsLoaderTests
{
    [Fact]
    public void Loads_models_environments_and_defaults()
    {
        using var project = new TempProject().Standard();
        var settings = SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment);

        Assert.Equal("demo", settings.ProjectName);
        var model = Assert.Single(settings.Models);
        Assert.Equal("diabetes", model.Name);
        Assert.Equal(Path.Combine(project.Root, "models", "diabetes", "model.py"), model.ModelFile);
        Assert.Equal(Path.Combine(project.Root, "models", "diabetes", "requirements.model"), model.RequirementsFile);
        Assert.Equal(new[] { "prediction", "training" }, model.Services);
        Assert.Equal(new[] { "dev", "test", "prod" }, settings.Environments.Select(e => e.Name));
        Assert.True(settings.GetEnvironment("dev").Registry.UseArtifactFolder);
        Assert.False(settings.GetEnvironment("test").Registry.UseArtifactFolder);
        Assert.True(settings.GetEnvironment("prod").IsProtected);
        Assert.False(settings.GetEnvironment("test").IsProtected);
        Assert.Equal(project.RegistryPath, settings.GetEnvironment("prod").Registry.Path);
        var warning = Assert.Single(settings.Warnings);
        Assert.Equal("$.models[0].artifactFolder", warning.Path);
    }

    [Fact]
    public void Model_log_level_pinned_version_and_service_info_bind_and_bad_values_are_named()
    {
        using var project = new TempProject().WithModelFolder("m1").WithSettings("""
            { "models": [ { "name": "m1", "codeFolder": "models/m1", "logLevel": "DEBUG", "artifactVersion": 3, "description": "model", "owner": "a@x",
                            "info": { "training": { "description": "trains", "metadata": { "required_input": "rate" } } } } ] }
            """);
        var model = SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment).Models[0];
        Assert.Equal(("debug", (int?)3), (model.LogLevel, model.ArtifactVersion));
        Assert.Equal(("model", "trains", "a@x"), (model.DescriptionOf("prediction"), model.DescriptionOf("training"), model.OwnerOf("training")));
        Assert.Equal("rate", model.Info["training"].Metadata["required_input"]);

        File.WriteAllText(project.SettingsPath, """
            { "models": [ { "name": "m1", "codeFolder": "models/m1", "logLevel": "chatty", "artifactVersion": 0,
                            "info": { "scoring": {}, "prediction": { "metadata": { "mlops-id": "x", "card": "%%%" } } } } ] }
            """.Replace("%%%", new string('x', 300)));
        var paths = SettingsLoader.Check(project.SettingsPath, TempProject.NoEnvironment).Problems.Select(p => p.Path).ToList();
        foreach (var path in new[] { "$.models[0].logLevel", "$.models[0].artifactVersion", "$.models[0].info.scoring",
                     "$.models[0].info.prediction.metadata.mlops-id", "$.models[0].info.prediction.metadata" })
        {
            Assert.Contains(path, paths);
        }
    }

    [Fact]
    public void Missing_environments_section_defaults_to_dev_test_prod()
    {
        using var project = new TempProject().WithModelFolder("m1")
            .WithSettings("""{ "models": [ { "name": "m1", "codeFolder": "models/m1" } ] }""");
        var settings = SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment);
        Assert.Equal(new[] { "dev", "test", "prod" }, settings.Environments.Select(e => e.Name));
        Assert.Equal(new[] { "prediction" }, settings.Models[0].Services);
    }

    [Fact]
    public void Reports_every_problem_at_once_with_json_paths()
    {
        using var project = new TempProject().WithModelFolder("good")
            .WithSettings("""
                {
                  "models": [
                    { "name": "bad-name", "codeFolder": "models/good", "colour": "red" },
                    { "name": "good", "codeFolder": "models/missing", "services": ["prediction", "serving"] },
                    { "codeFolder": "models/good", "modelFile": "nope.py" }
                  ],
                  "environments": {
                    "prod": { "registry": { "type": "s3" }, "protected": "maybe" },
                    "Bad-Env": { }
                  },
                  "extra": 1
                }
                """);
        var result = SettingsLoader.Check(project.SettingsPath, TempProject.NoEnvironment);

        Assert.False(result.IsValid);
        var paths = result.Problems.Where(p => p.Severity == ProblemSeverity.Error).Select(p => p.Path).ToList();
        Assert.Contains("$.models[0].colour", paths);
        Assert.Contains("$.extra", paths);
        Assert.Contains("$.models[0].name", paths);
        Assert.Contains("$.models[1].codeFolder", paths);
        Assert.Contains("$.models[1].services[1]", paths);
        Assert.Contains("$.models[2].name", paths);
        Assert.Contains("$.models[2].modelFile", paths);
        Assert.Contains("$.environments.prod.registry.type", paths);
        Assert.Contains("$.environments.prod.protected", paths);
        Assert.Contains("$.environments.Bad-Env", paths);
        Assert.All(result.Problems, p => Assert.Equal(project.SettingsPath, p.Source));
        Assert.All(result.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Expected)));

        var error = Assert.Throws<MlOpsException>(() => SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment));
        Assert.Equal(ErrorIds.InvalidSettings, error.ErrorId);
        Assert.Contains("$.models[0].colour", error.Message);
        Assert.Contains("$.environments.prod.registry.type", error.Message);
    }

    [Fact]
    public void Missing_default_model_files_are_reported_against_the_model()
    {
        using var project = new TempProject();
        Directory.CreateDirectory(Path.Combine(project.Root, "models", "m"));
        project.WithSettings("""{ "models": [ { "name": "m", "codeFolder": "models/m" } ] }""");
        var problems = SettingsLoader.Check(project.SettingsPath, TempProject.NoEnvironment).Problems;
        Assert.Equal(3, problems.Count(p => p.Path == "$.models[0]"));
        Assert.Contains(problems, p => p.Message.Contains("model.py"));
        Assert.Contains(problems, p => p.Message.Contains("test_model.py"));
        Assert.Contains(problems, p => p.Message.Contains("requirements.model"));
    }

    [Fact]
    public void Invalid_json_is_one_clear_problem()
    {
        using var project = new TempProject().WithSettings("{ \"models\": [ ");
        var result = SettingsLoader.Check(project.SettingsPath, TempProject.NoEnvironment);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("$", problem.Path);
        Assert.Contains("not valid JSON", problem.Message);

        // The line and column where it breaks, and what stands there.
        File.WriteAllText(project.SettingsPath, "{\n  \"project\": \"p\",\n  \"models\": [ { \"name\" \"m1\" } ]\n}\n");
        var located = Assert.Single(SettingsLoader.Check(project.SettingsPath, TempProject.NoEnvironment).Problems);
        Assert.Contains("line 3, column 24", located.Message);
        Assert.Contains("(at '\"m1\" } ]')", located.Message);
    }

    [Fact]
    public void Environment_variables_override_values_and_are_named_in_problems()
    {
        using var project = new TempProject().Standard();
        var shared = Path.Combine(project.Root, "shared-registry");
        var environment = new Hashtable
        {
            ["MLOPS__environments__prod__registry__path"] = shared,
            ["MLOPS__environments__test__registry__typo"] = "x",
        };
        var result = SettingsLoader.Check(project.SettingsPath, environment);
        var problem = Assert.Single(result.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal("environment variable MLOPS__environments__test__registry__typo", problem.Source);
        Assert.Equal("$.environments.test.registry.typo", problem.Path);

        environment.Remove("MLOPS__environments__test__registry__typo");
        var settings = SettingsLoader.Load(project.SettingsPath, environment);
        Assert.Equal(shared, settings.GetEnvironment("prod").Registry.Path);
        Assert.Equal(project.RegistryPath, settings.GetEnvironment("test").Registry.Path);
    }

    [Fact]
    public void A_local_registry_path_that_is_a_file_is_a_settings_error()
    {
        using var project = new TempProject().Standard();
        var file = Path.Combine(project.Root, "registry.txt");
        File.WriteAllText(file, "not a folder");
        var environment = new Hashtable { ["MLOPS__environments__test__registry__path"] = file };

        var problem = Assert.Single(SettingsLoader.Check(project.SettingsPath, environment).Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal("$.environments.test.registry.path", problem.Path);
        Assert.Contains("is a file, not a folder", problem.Message);
        Assert.Equal(ErrorIds.InvalidSettings, Assert.Throws<MlOpsException>(() => SettingsLoader.Load(project.SettingsPath, environment)).ErrorId);
    }

    [Fact]
    public void Locate_walks_up_from_a_subfolder_and_honours_MLOPS_SETTINGS()
    {
        using var project = new TempProject().Standard();
        var deep = Path.Combine(project.Root, "models", "diabetes");
        Assert.Equal(project.SettingsPath, SettingsLoader.Locate(null, deep, TempProject.NoEnvironment));
        Assert.Equal(project.SettingsPath, SettingsLoader.Locate(project.Root, "/", TempProject.NoEnvironment));
        Assert.Equal(project.SettingsPath, SettingsLoader.Locate(null, "/", new Hashtable { ["MLOPS_SETTINGS"] = project.SettingsPath }));

        var error = Assert.Throws<MlOpsException>(() => SettingsLoader.Locate(null, Path.GetTempPath(), TempProject.NoEnvironment));
        Assert.Equal(ErrorIds.SettingsNotFound, error.ErrorId);
    }

    [Fact]
    public void Unknown_environment_names_the_defined_ones()
    {
        using var project = new TempProject().Standard();
        var settings = SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment);
        var error = Assert.Throws<MlOpsException>(() => settings.GetEnvironment("staging"));
        Assert.Equal(ErrorIds.EnvironmentNotFound, error.ErrorId);
        Assert.Contains("dev, test, prod", error.Message);
    }

    [Theory]
    [InlineData(null, "test", null, "test")]
    [InlineData("prod", "test", null, "prod")]
    [InlineData(null, null, "dev", "dev")]
    [InlineData(null, null, null, null)]
    public void Environment_comes_from_parameter_then_ENV_then_MODEL_ENV(string? explicitName, string? env, string? modelEnv, string? expected)
    {
        var variables = new Hashtable();
        if (env != null) variables["ENV"] = env;
        if (modelEnv != null) variables["MODEL_ENV"] = modelEnv;
        Assert.Equal(expected, SettingsLoader.ResolveEnvironmentName(explicitName, variables));
    }

    [Fact]
    public void Loaded_settings_are_reused_until_the_file_or_an_override_changes()
    {
        using var project = new TempProject().Standard();
        var first = SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment);
        Assert.Same(first, SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment));

        File.WriteAllText(project.SettingsPath, File.ReadAllText(project.SettingsPath).Replace("\"demo\"", "\"renamed\""));
        Assert.Equal("renamed", SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment).ProjectName);

        var overridden = SettingsLoader.Load(project.SettingsPath, new Hashtable { ["MLOPS__project"] = "from-env" });
        Assert.Equal("from-env", overridden.ProjectName);
        Assert.Equal("renamed", SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment).ProjectName);
    }

    [Fact]
    public void A_model_file_removed_after_the_settings_were_read_is_reported_on_the_next_load()
    {
        // Found by the resilience suite: the cache only checked the code folder, so a deploy in the same session ran on with
        // a requirements.model that was gone (a raw FileNotFoundException) or a model.py that was gone.
        using var project = new TempProject().Standard();
        SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment);
        File.Delete(Path.Combine(project.Root, "models", "diabetes", "requirements.model"));

        var error = Assert.Throws<MlOpsException>(() => SettingsLoader.Load(project.SettingsPath, TempProject.NoEnvironment));
        Assert.Equal(ErrorIds.InvalidSettings, error.ErrorId);
        Assert.Contains("requirements.model", error.Message);
    }
}
