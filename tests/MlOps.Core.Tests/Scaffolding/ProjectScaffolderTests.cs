using System.Collections;
using System.Text.RegularExpressions;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.Python;
using MlOps.Scaffolding;
using MlOps.Services;
using MlOps.Settings;
using Xunit;

namespace MlOps.Core.Tests.Scaffolding;

/// <summary>New projects and models from the templates: what is written, what is refused, and that they test and deploy at once.</summary>
public sealed class ProjectScaffolderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mlops-scaffold-" + Guid.NewGuid().ToString("N"));

    private static ScaffoldOptions NoTraining => new() { Train = false };

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static IReadOnlyList<string> Listing(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p).Replace('\\', '/')).OrderBy(p => p, StringComparer.Ordinal).ToList()
            : Array.Empty<string>();

    [Fact]
    public void A_new_project_is_valid_trained_and_passes_its_model_and_service_tests_at_once()
    {
        var recorder = new RecordingReporter();
        var project = ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "forecast", CiSystem.GitHub), new ScaffoldOptions(), recorder, default);

        Assert.Empty(recorder.Warnings);
        Assert.Equal(Path.GetFileName(_root), project.ProjectName);
        Assert.Equal(new[]
        {
            ".github/workflows/mlops.yml", ".gitignore", "mlops.settings.json", "models/__init__.py", "models/common_code/__init__.py",
            "models/common_code/validation.py", "models/forecast/__init__.py", "models/forecast/model.py", "models/forecast/requirements.model",
            "models/forecast/test_model.py", "models/forecast/training_data.csv",
        }, project.Files.Select(f => f.Path).OrderBy(p => p, StringComparer.Ordinal));
        Assert.All(project.Files, f => Assert.Equal(ScaffoldFileStatus.Created, f.Status));
        Assert.Equal(".github/workflows/mlops.yml", project.PipelineFile);

        var model = Assert.Single(project.Models);
        Assert.True(model.ArtifactTrained);
        Assert.True(File.Exists(Path.Combine(_root, "artifacts", "forecast", "model.json")));
        Assert.True(double.Parse(model.TrainingMetadata["r2"], System.Globalization.CultureInfo.InvariantCulture) > 0.9);
        Assert.Equal("24", model.TrainingMetadata["train_rows"]);
        Assert.Equal(new[] { "forecast" }, Directory.GetDirectories(Path.Combine(_root, "artifacts")).Select(Path.GetFileName));

        var check = SettingsLoader.Check(project.SettingsPath, new Hashtable());
        Assert.Empty(check.Problems);
        var settings = check.Settings!;
        Assert.Equal(new[] { "dev", "test", "prod" }, settings.Environments.Select(e => e.Name));
        Assert.Equal(new[] { "prediction", "training" }, settings.RequireModel("forecast").Services);

        var tested = new ServiceDeployer(settings).Deploy(new DeployRequest("forecast", "dev", ServiceKind.Prediction) { TestOnly = true }, recorder, default);
        Assert.Equal(ServiceStatus.Tested, tested.Status);
        Assert.Equal("forecast/dev/1", tested.ModelId);
        Assert.All(tested.TestResults, t => Assert.True(t.Passed, t.Message));
        var training = new ServiceDeployer(settings).Deploy(new DeployRequest("forecast", "dev", ServiceKind.Training) { TestOnly = true }, recorder, default);
        Assert.All(training.TestResults, t => Assert.True(t.Passed, t.Message));
    }

    [Theory]
    [InlineData(CiSystem.GitHub, ".github/workflows/mlops.yml")]
    [InlineData(CiSystem.AzureDevOps, "azure-pipelines.yml")]
    [InlineData(CiSystem.Bitbucket, "bitbucket-pipelines.yml")]
    public void Each_CI_system_gets_its_pipeline_file_with_the_module_version_and_no_placeholder_left(CiSystem ci, string path)
    {
        var project = ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, "Demo \"Project\"", "m1", ci), NoTraining, new RecordingReporter(), default);

        Assert.Equal(path, project.PipelineFile);
        Assert.Single(project.Files, f => f.Kind == ScaffoldFileKind.Pipeline);
        var pipeline = File.ReadAllText(Path.Combine(_root, path));
        Assert.Contains($"MlOps -Version {(ci == CiSystem.Bitbucket ? "\"" : "'")}{ProjectTemplates.ModuleVersion}", pipeline);
        Assert.Contains("Demo \"Project\"", pipeline);
        foreach (var file in project.Files)
        {
            Assert.DoesNotMatch(new Regex(@"\{\{[A-Za-z]+\}\}"), File.ReadAllText(file.FullPath));
        }

        Assert.Equal("Demo \"Project\"", SettingsLoader.Load(project.SettingsPath, new Hashtable()).ProjectName);
    }

    [Fact]
    public void Without_a_CI_system_there_is_no_pipeline_file()
    {
        var project = ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "m1", CiSystem.None), NoTraining, new RecordingReporter(), default);
        Assert.Null(project.PipelineFile);
        Assert.DoesNotContain(project.Files, f => f.Kind == ScaffoldFileKind.Pipeline);
        Assert.False(Directory.Exists(Path.Combine(_root, ".github")));
    }

    [Fact]
    public void Every_template_is_used_by_some_project()
    {
        var used = new HashSet<string>();
        foreach (var ci in Enum.GetValues<CiSystem>())
        {
            var template = ProjectTemplates.PipelineTemplate(ci);
            if (template != null)
            {
                used.Add(template);
            }
        }

        var plan = ProjectScaffolder.PlanProject(_root, null, "m1", CiSystem.None);
        Assert.Equal(13, ProjectTemplates.Names().Count);
        Assert.Equal(ProjectTemplates.Names().Count, used.Count + plan.Files.Count);
    }

    [Fact]
    public void Existing_files_are_not_replaced_without_force_and_nothing_is_written()
    {
        Directory.CreateDirectory(Path.Combine(_root, "models", "m1"));
        File.WriteAllText(Path.Combine(_root, "models", "m1", "model.py"), "# mine\n");
        File.WriteAllText(Path.Combine(_root, "notes.txt"), "keep\n");
        var before = Listing(_root);

        var error = Assert.Throws<MlOpsException>(() =>
            ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "m1", CiSystem.GitHub), NoTraining, new RecordingReporter(), default));

        Assert.Equal(ErrorIds.ProjectFileExists, error.ErrorId);
        Assert.Equal(MlOpsErrorKind.AlreadyExists, error.Kind);
        Assert.Contains("models/m1/model.py", error.Message);
        Assert.Contains("-Force", error.RecommendedAction);
        Assert.Equal(before, Listing(_root));
        Assert.Equal("# mine\n", File.ReadAllText(Path.Combine(_root, "models", "m1", "model.py")));
    }

    [Fact]
    public void Force_replaces_existing_files_and_says_so()
    {
        Directory.CreateDirectory(Path.Combine(_root, "models", "m1"));
        File.WriteAllText(Path.Combine(_root, "models", "m1", "model.py"), "# mine\n");

        var project = ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "m1", CiSystem.None), new ScaffoldOptions { Force = true, Train = false },
            new RecordingReporter(), default);

        Assert.Equal(ScaffoldFileStatus.Replaced, project.Files.Single(f => f.Path == "models/m1/model.py").Status);
        Assert.Equal(ScaffoldFileStatus.Created, project.Files.Single(f => f.Path == "mlops.settings.json").Status);
        Assert.Contains("def predict(data, init_object, secrets)", File.ReadAllText(Path.Combine(_root, "models", "m1", "model.py")));
        Assert.DoesNotContain(Listing(_root), p => p.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failure_while_writing_leaves_nothing_behind()
    {
        Directory.CreateDirectory(Path.Combine(_root, "models", "m1", "test_model.py"));
        var before = Listing(_root);

        var error = Assert.Throws<MlOpsException>(() => ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "m1", CiSystem.Bitbucket),
            new ScaffoldOptions { Force = true, Train = false }, new RecordingReporter(), default));

        Assert.Equal(ErrorIds.ProjectFileExists, error.ErrorId);
        Assert.Equal(before, Listing(_root));
    }

    [Theory]
    [InlineData("my-model")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Invalid_model_names_are_refused(string name)
    {
        Assert.Equal(ErrorIds.InvalidModelName, Assert.Throws<MlOpsException>(() => ProjectScaffolder.PlanProject(_root, null, name, CiSystem.None)).ErrorId);
        Assert.False(Directory.Exists(_root));
    }

    [Fact]
    public void Models_added_at_the_same_time_all_keep_their_settings_entries()
    {
        ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "first", CiSystem.None), NoTraining, new RecordingReporter(), default);
        var settingsPath = Path.Combine(_root, "mlops.settings.json");

        // Every plan is made from the file before any addition is written, as by commands started at the same moment.
        var names = Enumerable.Range(1, 6).Select(i => "added" + i).ToList();
        var plans = names.Select(n => ProjectScaffolder.PlanModel(settingsPath, n)).ToList();
        using var start = new Barrier(plans.Count);
        var added = plans.AsParallel().WithDegreeOfParallelism(plans.Count).Select(plan =>
        {
            start.SignalAndWait();
            return ProjectScaffolder.AddModel(plan, NoTraining, new RecordingReporter(), default).Name;
        }).ToList();

        Assert.Equal(names, added.Order(StringComparer.Ordinal));
        var settings = SettingsLoader.Load(settingsPath, new Hashtable());
        Assert.Equal(names.Append("first").Order(StringComparer.Ordinal), settings.Models.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(names, n => Assert.True(File.Exists(Path.Combine(_root, "models", n, "model.py"))));

        // The same name twice: the second, planned before the first was written, is refused when it comes to write.
        var again = ProjectScaffolder.PlanModel(settingsPath, "late");
        ProjectScaffolder.AddModel(ProjectScaffolder.PlanModel(settingsPath, "late"), NoTraining, new RecordingReporter(), default);
        Assert.Equal(ErrorIds.ModelAlreadyExists, Assert.Throws<MlOpsException>(() => ProjectScaffolder.AddModel(again, NoTraining, new RecordingReporter(), default)).ErrorId);
    }

    [Fact]
    public void A_model_added_to_a_project_keeps_the_other_settings_and_also_passes_its_tests()
    {
        ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "first", CiSystem.None), new ScaffoldOptions(), new RecordingReporter(), default);
        var settingsPath = Path.Combine(_root, "mlops.settings.json");
        var original = File.ReadAllText(settingsPath);
        var sharedCode = File.ReadAllText(Path.Combine(_root, "models", "common_code", "validation.py"));
        File.WriteAllText(Path.Combine(_root, "models", "common_code", "validation.py"), sharedCode + "\n# edited by the team\n");

        var recorder = new RecordingReporter();
        var model = ProjectScaffolder.AddModel(ProjectScaffolder.PlanModel(settingsPath, "second"), new ScaffoldOptions(), recorder, default);

        Assert.Empty(recorder.Warnings);
        Assert.Equal("second", model.Name);
        Assert.True(model.ArtifactTrained);
        Assert.Equal(new[] { "mlops.settings.json", "models/second/__init__.py", "models/second/model.py", "models/second/requirements.model",
            "models/second/test_model.py", "models/second/training_data.csv" }, model.Files.Select(f => f.Path).OrderBy(p => p, StringComparer.Ordinal));
        Assert.Equal(ScaffoldFileStatus.Updated, model.Files.Single(f => f.Kind == ScaffoldFileKind.Settings).Status);
        Assert.EndsWith("# edited by the team\n", File.ReadAllText(Path.Combine(_root, "models", "common_code", "validation.py")));

        var edited = File.ReadAllText(settingsPath);
        var at = original.IndexOf("\n  ],", StringComparison.Ordinal);
        Assert.Equal(original.Substring(0, at), edited.Substring(0, at));
        Assert.Equal(original.Substring(at), edited.Substring(edited.Length - (original.Length - at)));

        var settings = SettingsLoader.Load(settingsPath, new Hashtable());
        Assert.Equal(new[] { "first", "second" }, settings.Models.Select(m => m.Name));
        var tested = new ServiceDeployer(settings).Deploy(new DeployRequest("second", "dev", ServiceKind.Prediction) { TestOnly = true }, recorder, default);
        Assert.All(tested.TestResults, t => Assert.True(t.Passed, t.Message));
    }

    [Fact]
    public void A_model_added_to_a_project_without_shared_code_brings_it_and_lists_it()
    {
        using var project = new TempProject().Standard();
        var before = File.ReadAllText(project.SettingsPath);

        var model = ProjectScaffolder.AddModel(ProjectScaffolder.PlanModel(project.SettingsPath, "churn"), NoTraining, new RecordingReporter(), default);

        Assert.Contains(model.Files, f => f.Path == "models/common_code/validation.py" && f.Status == ScaffoldFileStatus.Created);
        Assert.Contains(model.Files, f => f.Path == "models/__init__.py");
        var edited = File.ReadAllText(project.SettingsPath);
        var cut = before.IndexOf("] }", StringComparison.Ordinal) + 3;
        Assert.Equal(before[..cut], edited[..cut]);
        Assert.EndsWith(before[cut..], edited);
        Assert.Equal(new[] { "diabetes", "churn" }, SettingsLoader.Load(project.SettingsPath, new Hashtable()).Models.Select(m => m.Name));
    }

    [Fact]
    public void Adding_a_model_that_exists_is_refused_whatever_the_case()
    {
        ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "first", CiSystem.None), NoTraining, new RecordingReporter(), default);
        var settingsPath = Path.Combine(_root, "mlops.settings.json");
        var before = File.ReadAllText(settingsPath);

        var error = Assert.Throws<MlOpsException>(() => ProjectScaffolder.PlanModel(settingsPath, "FIRST"));
        Assert.Equal(ErrorIds.ModelAlreadyExists, error.ErrorId);
        Assert.Equal(before, File.ReadAllText(settingsPath));
    }

    [Fact]
    public void Model_files_left_without_a_settings_entry_are_a_conflict_until_force()
    {
        ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "first", CiSystem.None), NoTraining, new RecordingReporter(), default);
        var settingsPath = Path.Combine(_root, "mlops.settings.json");
        Directory.CreateDirectory(Path.Combine(_root, "models", "second"));
        File.WriteAllText(Path.Combine(_root, "models", "second", "model.py"), "# draft\n");
        var before = File.ReadAllText(settingsPath);

        var error = Assert.Throws<MlOpsException>(() => ProjectScaffolder.AddModel(ProjectScaffolder.PlanModel(settingsPath, "second"), NoTraining, new RecordingReporter(), default));
        Assert.Equal(ErrorIds.ProjectFileExists, error.ErrorId);
        Assert.Equal(before, File.ReadAllText(settingsPath));
        Assert.Equal(new[] { "model.py" }, Listing(Path.Combine(_root, "models", "second")));

        var model = ProjectScaffolder.AddModel(ProjectScaffolder.PlanModel(settingsPath, "second"), new ScaffoldOptions { Force = true, Train = false }, new RecordingReporter(), default);
        Assert.Equal(ScaffoldFileStatus.Replaced, model.Files.Single(f => f.Path == "models/second/model.py").Status);
    }

    [Fact]
    public void A_project_path_that_cannot_be_written_is_a_write_failure_not_a_conflict()
    {
        Directory.CreateDirectory(_root);
        var blocker = Path.Combine(_root, "a-file");
        File.WriteAllText(blocker, "not a folder\n");
        var under = Path.Combine(blocker, "project");

        var error = Assert.Throws<MlOpsException>(() =>
            ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(under, null, "m1", CiSystem.None), NoTraining, new RecordingReporter(), default));

        Assert.Equal(ErrorIds.ProjectWriteFailed, error.ErrorId);
        Assert.Equal(MlOpsErrorKind.WriteError, error.Kind);
        Assert.Contains("nothing was written", error.Message);
        Assert.Equal(new[] { "a-file" }, Listing(_root));
    }

    [Fact]
    public void A_non_empty_artifact_folder_is_a_conflict_when_training()
    {
        Directory.CreateDirectory(Path.Combine(_root, "artifacts", "m1"));
        File.WriteAllText(Path.Combine(_root, "artifacts", "m1", "weights.bin"), "precious");
        var plan = ProjectScaffolder.PlanProject(_root, null, "m1", CiSystem.None);

        Assert.Equal(new[] { "artifacts/m1/" }, plan.Conflicts(train: true));
        Assert.Empty(plan.Conflicts(train: false));
        Assert.Throws<MlOpsException>(() => ProjectScaffolder.CreateProject(plan, new ScaffoldOptions(), new RecordingReporter(), default));
        Assert.Equal("precious", File.ReadAllText(Path.Combine(_root, "artifacts", "m1", "weights.bin")));
    }

    [Fact]
    public void Without_a_Python_the_project_is_written_and_a_warning_says_how_to_train()
    {
        var recorder = new RecordingReporter();
        var options = new ScaffoldOptions
        {
            FindPython = (_, _) => throw new MlOpsException(ErrorIds.PythonNotFound, MlOpsErrorKind.NotInstalled, "No Python was found.", null, "Install Python 3."),
        };

        var project = ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "m1", CiSystem.None), options, recorder, default);

        Assert.False(project.Models[0].ArtifactTrained);
        Assert.Empty(project.Models[0].TrainingMetadata);
        var warning = Assert.Single(recorder.Warnings);
        Assert.Contains("No Python was found", warning);
        Assert.Contains("train('artifacts/m1', {})", warning);
        Assert.False(Directory.Exists(Path.Combine(_root, "artifacts")));
        Assert.True(File.Exists(project.SettingsPath));
    }

    [Fact]
    public void A_model_whose_training_fails_keeps_no_partial_artifact()
    {
        var python = PythonLocator.Find(null, _root, new Hashtable());
        ProjectScaffolder.CreateProject(ProjectScaffolder.PlanProject(_root, null, "m1", CiSystem.None), NoTraining, new RecordingReporter(), default);
        File.WriteAllText(Path.Combine(_root, "models", "m1", "training_data.csv"), "x,y\n1,2\n");

        var error = Assert.Throws<MlOpsException>(() =>
            ArtifactTrainer.Train(python, _root, "m1", Path.Combine(_root, "artifacts", "m1"), NullReporter.Instance, default));

        Assert.Equal(ErrorIds.InvalidModelCode, error.ErrorId);
        Assert.Contains("at least two points", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "artifacts")));
    }
}
