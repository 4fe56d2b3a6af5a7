using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Python;
using MlOps.Settings;

namespace MlOps.Scaffolding
{
    /// <summary>What the scaffolder may do beyond writing files.</summary>
    public sealed class ScaffoldOptions
    {
        /// <summary>Replace files (and a non-empty artifact folder) that exist.</summary>
        public bool Force { get; set; }

        /// <summary>Train each new model's first artifact with its own train(), so dev can deploy it at once.</summary>
        public bool Train { get; set; } = true;

        /// <summary>Finds the Python to train with; default: <see cref="PythonLocator.Find"/>.</summary>
        public Func<string?, string, PythonInterpreter>? FindPython { get; set; }
    }

    /// <summary>
    /// Creates model projects and adds models to them from the embedded templates: plan (what would be written, what exists),
    /// then write everything or nothing, then train each new model's first artifact.
    /// </summary>
    public static class ProjectScaffolder
    {
        private const string DefaultProjectName = "mlops-project";

        /// <summary>The files of a new project in <paramref name="projectRoot"/> with one model.</summary>
        public static ScaffoldPlan PlanProject(string projectRoot, string? projectName, string modelName, CiSystem ciSystem)
        {
            NameRules.ValidateModelName(modelName);
            var root = Path.GetFullPath(projectRoot);
            if (File.Exists(root))
            {
                throw new MlOpsException(ErrorIds.ProjectFileExists, MlOpsErrorKind.AlreadyExists, $"'{root}' is a file, not a folder.", root,
                    "Name a folder for the project (it is created if it does not exist).");
            }

            var name = string.IsNullOrWhiteSpace(projectName) ? Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)) : projectName!.Trim();
            if (string.IsNullOrEmpty(name))
            {
                name = DefaultProjectName;
            }

            var values = Values(name, modelName);
            values["ModelEntry"] = string.Join("\n", SettingsEditor.ModelEntry(modelName).Split('\n').Select(l => "    " + l));
            var files = new List<PlannedFile>
            {
                Plan(root, SettingsLoader.FileName, ScaffoldFileKind.Settings, PlannedFileMode.Create, ProjectTemplates.Render("project/mlops.settings.json", values)),
                Plan(root, ".gitignore", ScaffoldFileKind.GitIgnore, PlannedFileMode.Create, ProjectTemplates.Render("project/gitignore", values)),
            };
            files.AddRange(SharedFiles(root, values, PlannedFileMode.Create));
            files.AddRange(ModelFiles(root, modelName, values));
            var pipeline = PipelineFile(root, name, modelName, ciSystem);
            if (pipeline != null)
            {
                files.Add(pipeline);
            }

            return new ScaffoldPlan(root, Path.Combine(root, SettingsLoader.FileName), name, ciSystem, new[] { modelName }, files, null);
        }

        /// <summary>The files of a new model in the project of <paramref name="settingsPath"/>, and the edited settings file.</summary>
        public static ScaffoldPlan PlanModel(string settingsPath, string modelName)
        {
            NameRules.ValidateModelName(modelName);
            var settings = Path.GetFullPath(settingsPath);
            var root = Path.GetDirectoryName(settings)!;
            var text = File.ReadAllText(settings);
            var existing = SettingsEditor.ModelNames(text, settings);
            var clash = existing.FirstOrDefault(n => string.Equals(n, modelName, StringComparison.OrdinalIgnoreCase));
            if (clash != null)
            {
                throw new MlOpsException(ErrorIds.ModelAlreadyExists, MlOpsErrorKind.AlreadyExists,
                    $"{settings} already defines the model '{clash}'.", modelName, "Choose another name (Get-MlSetting -Model * lists the models).");
            }

            var values = Values(Path.GetFileName(root), modelName);
            var files = new List<PlannedFile>();
            files.AddRange(SharedFiles(root, values, PlannedFileMode.CreateIfMissing));
            files.AddRange(ModelFiles(root, modelName, values));
            files.Add(Plan(root, SettingsLoader.FileName, ScaffoldFileKind.Settings, PlannedFileMode.Update,
                SettingsEditor.AddModel(text, SettingsEditor.ModelEntry(modelName), settings)));
            return new ScaffoldPlan(root, settings, Path.GetFileName(root), null, new[] { modelName }, files, SettingsEditor.Python(text));
        }

        /// <summary>Writes a new project's files (all or none) and trains its model's first artifact.</summary>
        public static ProjectScaffold CreateProject(ScaffoldPlan plan, ScaffoldOptions options, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var written = Write(plan, options, reporter);
            var models = plan.Models.Select(m => Model(plan, m, written, options, reporter, cancellationToken)).ToList();
            var pipeline = plan.Files.FirstOrDefault(f => f.Kind == ScaffoldFileKind.Pipeline)?.Path;
            return new ProjectScaffold(plan.ProjectName, plan.ProjectRoot, plan.SettingsPath, plan.CiSystem ?? CiSystem.None, pipeline, models, written);
        }

        /// <summary>
        /// Writes a new model's files and its settings entry (all or none) and trains its first artifact. The settings file
        /// is read again and written under a lock (<c>.mlops/settings.lock</c>), so models added at the same time by
        /// several processes all keep their entries.
        /// </summary>
        public static ModelScaffold AddModel(ScaffoldPlan plan, ScaffoldOptions options, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            IReadOnlyList<ScaffoldedFile> written;
            using (SettingsLock(plan, cancellationToken))
            {
                // The plan may have been made before another addition was written: plan again on the file as it is now.
                plan = PlanModel(plan.SettingsPath, plan.Models.Single());
                written = Write(plan, options, reporter);
            }

            return Model(plan, plan.Models.Single(), written, options, reporter, cancellationToken);
        }

        /// <summary>An exclusive lock on the project's settings edits (an OS file lock, released if the process dies).</summary>
        private static IDisposable SettingsLock(ScaffoldPlan plan, CancellationToken cancellationToken)
        {
            var folder = Path.Combine(plan.ProjectRoot, ".mlops");
            var path = Path.Combine(folder, "settings.lock");
            try
            {
                Directory.CreateDirectory(folder);
                return OsFileLock.Take(path, DateTime.UtcNow + TimeSpan.FromSeconds(60), () =>
                {
                    cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
                    cancellationToken.ThrowIfCancellationRequested();
                });
            }
            catch (IOException e) when (OsFileLock.IsContention(e))
            {
                throw new MlOpsException(ErrorIds.SettingsBusy, MlOpsErrorKind.ResourceUnavailable,
                    $"Another MlOps command has been editing {plan.SettingsPath} for a minute ({path} is locked).", plan.SettingsPath,
                    "Wait for it to finish and try again.", e);
            }
            catch (Exception e) when (FileSystemFailure.Is(e))
            {
                throw FileSystemFailure.Map(e, ErrorIds.ProjectWriteFailed, plan.SettingsPath, $"Locking {plan.SettingsPath} for the edit",
                    "Check that the project folder is writable and has free space; nothing was written.");
            }
        }

        private static ModelScaffold Model(ScaffoldPlan plan, string model, IReadOnlyList<ScaffoldedFile> written, ScaffoldOptions options,
            IOperationReporter reporter, CancellationToken cancellationToken)
        {
            // A new project's model lists its own files; a model added to a project lists everything the addition wrote.
            var mine = plan.Files.Where(f => !plan.IsNewProject || f.Model == model).Select(f => f.Path).ToList();
            var files = written.Where(w => mine.Contains(w.Path)).ToList();
            var artifactFolder = plan.ArtifactFolder(model);
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            var trained = false;
            if (options.Train)
            {
                try
                {
                    var python = (options.FindPython ?? ((configured, root) => PythonLocator.Find(configured, root)))(plan.Python, plan.ProjectRoot);
                    metadata = ArtifactTrainer.Train(python, plan.ProjectRoot, model, artifactFolder, reporter, cancellationToken);
                    trained = true;
                    reporter.Verbose($"Trained artifacts/{model}: {string.Join(", ", metadata.Select(p => p.Key + "=" + p.Value))}.");
                }
                catch (MlOpsException e) when (e.ErrorId == ErrorIds.PythonNotFound || e.ErrorId == ErrorIds.PythonPackageMissing ||
                    e.ErrorId == ErrorIds.InvalidModelCode || e.ErrorId == ErrorIds.ProcessTimedOut)
                {
                    reporter.Warning($"The first artifact of '{model}' was not trained, so dev has no version to deploy yet: {e.Message} " +
                        (e.RecommendedAction ?? string.Empty) +
                        $" Then train it from {plan.ProjectRoot}: python -c \"from models.{model}.model import train; train('artifacts/{model}', {{}})\"");
                }
            }

            return new ModelScaffold(model, ScaffoldPlan.Combine(plan.ProjectRoot, $"models/{model}"), artifactFolder, new[] { "prediction", "training" },
                plan.SettingsPath, files, trained, metadata);
        }

        /// <summary>A <c>ProjectFileExists</c> error listing what exists and would be replaced, unless <see cref="ScaffoldOptions.Force"/>.</summary>
        public static void CheckConflicts(ScaffoldPlan plan, ScaffoldOptions options)
        {
            var conflicts = plan.Conflicts(options.Train);
            if (conflicts.Count > 0 && !options.Force)
            {
                var isProject = plan.IsNewProject && File.Exists(plan.SettingsPath);
                throw new MlOpsException(ErrorIds.ProjectFileExists, MlOpsErrorKind.AlreadyExists,
                    $"{plan.ProjectRoot} already has {string.Join(", ", conflicts)}; nothing was written.", plan.ProjectRoot,
                    (isProject ? "The folder already holds a model project: add a model to it with Add-MlModel, or " : "Move them away, ") +
                    "pass -Force to replace them, or choose another " + (plan.IsNewProject ? "folder." : "model name."));
            }
        }

        /// <summary>Writes every planned file, or none: each goes to a temporary file first, and only when all are written do they take their names.</summary>
        internal static IReadOnlyList<ScaffoldedFile> Write(ScaffoldPlan plan, ScaffoldOptions options, IOperationReporter reporter)
        {
            CheckConflicts(plan, options);
            var toWrite = plan.Files.Where(f => f.Mode != PlannedFileMode.CreateIfMissing || !f.Exists).ToList();
            var createdFolders = new List<string>();
            var staged = new List<(PlannedFile File, string Temporary, bool Existed)>();
            try
            {
                foreach (var file in toWrite)
                {
                    CreateFolder(Path.GetDirectoryName(file.FullPath)!, createdFolders);
                    if (Directory.Exists(file.FullPath))
                    {
                        throw new MlOpsException(ErrorIds.ProjectFileExists, MlOpsErrorKind.AlreadyExists,
                            $"'{file.FullPath}' is a folder; nothing was written.", file.FullPath, "Move the folder away and try again.");
                    }

                    var temporary = file.FullPath + ".mlops-" + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
                    // Listed before it is written: a write that fails half-way (a full disk) leaves a file to remove too.
                    staged.Add((file, temporary, File.Exists(file.FullPath)));
                    DurableFiles.WriteAllText(temporary, file.Content);
                }

                var written = new List<ScaffoldedFile>();
                foreach (var (file, temporary, existed) in staged)
                {
                    if (existed)
                    {
                        File.Replace(temporary, file.FullPath, null);
                    }
                    else
                    {
                        File.Move(temporary, file.FullPath);
                    }

                    var status = file.Mode == PlannedFileMode.Update ? ScaffoldFileStatus.Updated : existed ? ScaffoldFileStatus.Replaced : ScaffoldFileStatus.Created;
                    reporter.Verbose($"{status} {file.Path}");
                    written.Add(new ScaffoldedFile(file.Path, file.FullPath, file.Kind, status));
                }

                // The renames above on disk too: a settings edit reported done survives a power cut.
                foreach (var folder in staged.Select(s => Path.GetDirectoryName(s.File.FullPath)!).Concat(createdFolders.Select(f => Path.GetDirectoryName(f)!))
                    .Distinct(StringComparer.Ordinal))
                {
                    try
                    {
                        DurableFiles.FlushFolder(folder);
                    }
                    catch (IOException e)
                    {
                        // The files are in place (the renames are done); only their survival of a power cut is in doubt.
                        reporter.Verbose($"Could not flush {folder} to disk: {e.Message}");
                    }
                }

                return written;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is MlOpsException)
            {
                foreach (var (_, temporary, _) in staged)
                {
                    TryDelete(temporary);
                }

                foreach (var folder in Enumerable.Reverse(createdFolders))
                {
                    if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
                    {
                        Directory.Delete(folder);
                    }
                }

                if (e is MlOpsException)
                {
                    throw;
                }

                throw new MlOpsException(ErrorIds.ProjectWriteFailed, MlOpsErrorKind.WriteError, $"Writing the project files failed: {e.Message}; nothing was written.",
                    plan.ProjectRoot, "Check that the folder is writable and try again.", e);
            }
        }

        private static void CreateFolder(string folder, List<string> created)
        {
            var missing = new Stack<string>();
            for (var dir = folder; !string.IsNullOrEmpty(dir) && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
            {
                missing.Push(dir);
            }

            while (missing.Count > 0)
            {
                var dir = missing.Pop();
                Directory.CreateDirectory(dir);
                created.Add(dir);
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        /// <summary>The CI pipeline file of <paramref name="ciSystem"/> for a project (null for <see cref="CiSystem.None"/>).</summary>
        internal static PlannedFile? PipelineFile(string root, string projectName, string modelName, CiSystem ciSystem)
        {
            var template = ProjectTemplates.PipelineTemplate(ciSystem);
            return template == null
                ? null
                : Plan(root, ProjectTemplates.PipelinePath(ciSystem)!, ScaffoldFileKind.Pipeline, PlannedFileMode.Create, ProjectTemplates.Render(template, Values(projectName, modelName)));
        }

        internal static PlannedFile Plan(string root, string relative, ScaffoldFileKind kind, PlannedFileMode mode, string content) =>
            Plan(root, relative, kind, mode, content, null);

        private static Dictionary<string, string> Values(string projectName, string modelName) => new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ProjectName"] = projectName,
            ["ProjectNameJson"] = JsonSerializer.Serialize(projectName, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
            ["ModelName"] = modelName,
            ["MlOpsVersion"] = ProjectTemplates.ModuleVersion,
        };

        private static IEnumerable<PlannedFile> SharedFiles(string root, IReadOnlyDictionary<string, string> values, PlannedFileMode mode)
        {
            yield return Plan(root, "models/__init__.py", ScaffoldFileKind.Package, mode, ProjectTemplates.Render("project/models_init.py", values));
            yield return Plan(root, "models/common_code/__init__.py", ScaffoldFileKind.Package, mode, ProjectTemplates.Render("project/common_code_init.py", values));
            yield return Plan(root, "models/common_code/validation.py", ScaffoldFileKind.CommonCode, mode, ProjectTemplates.Render("project/validation.py", values));
        }

        private static IEnumerable<PlannedFile> ModelFiles(string root, string model, IReadOnlyDictionary<string, string> values)
        {
            PlannedFile ModelFile(string template, string name, ScaffoldFileKind kind) =>
                Plan(root, $"models/{model}/{name}", kind, PlannedFileMode.Create, ProjectTemplates.Render(template, values), model);

            yield return ModelFile("model/model_init.py", "__init__.py", ScaffoldFileKind.Package);
            yield return ModelFile("model/model.py", "model.py", ScaffoldFileKind.Model);
            yield return ModelFile("model/test_model.py", "test_model.py", ScaffoldFileKind.Tests);
            yield return ModelFile("model/requirements.model", "requirements.model", ScaffoldFileKind.Requirements);
            yield return ModelFile("model/training_data.csv", "training_data.csv", ScaffoldFileKind.TrainingData);
        }

        private static PlannedFile Plan(string root, string relative, ScaffoldFileKind kind, PlannedFileMode mode, string content, string? model) =>
            new PlannedFile(relative, ScaffoldPlan.Combine(root, relative), kind, mode, content, model);
    }
}
