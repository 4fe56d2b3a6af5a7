using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MlOps.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace MlOps.Settings
{
    /// <summary>
    /// Finds, reads and validates <c>mlops.settings.json</c>. Values may be overridden by environment variables
    /// named <c>MLOPS__</c> followed by the key path joined with <c>__</c> (for example
    /// <c>MLOPS__environments__prod__registry__path</c>). Every problem is reported at once, with its source,
    /// JSON path and what is expected.
    /// </summary>
    public static class SettingsLoader
    {
        public const string FileName = "mlops.settings.json";
        public const string OverridePrefix = "MLOPS__";
        public const string SettingsPathVariable = "MLOPS_SETTINGS";
        public const string DefaultRegistryPath = ".mlops/registry";
        public const string DefaultServicesPath = ".mlops/services";
        public const string DefaultPackagesPath = ".mlops/packages";

        public static readonly IReadOnlyList<string> DefaultEnvironments = new[] { "dev", "test", "prod" };
        public static readonly IReadOnlyList<string> KnownServices = new[] { "prediction", "training" };
        public static readonly IReadOnlyList<string> KnownRegistryTypes = StoreKinds.All;
        public const string DefaultClientSecretVariable = "COGNITE_CLIENT_SECRET";
        public static readonly IReadOnlyList<string> KnownPlatformTypes = StoreKinds.All;

        /// <summary>
        /// The settings file to use: <paramref name="explicitPath"/> (a file, or a folder holding one), else
        /// <c>MLOPS_SETTINGS</c>, else the nearest <c>mlops.settings.json</c> in <paramref name="startFolder"/> or above.
        /// </summary>
        public static string Locate(string? explicitPath, string startFolder, IDictionary? environment = null)
        {
            environment ??= Environment.GetEnvironmentVariables();
            var candidate = explicitPath;
            if (string.IsNullOrEmpty(candidate))
            {
                candidate = environment[SettingsPathVariable] as string;
            }

            if (!string.IsNullOrEmpty(candidate))
            {
                var full = Path.GetFullPath(Path.Combine(startFolder, candidate));
                if (Directory.Exists(full))
                {
                    full = Path.Combine(full, FileName);
                }

                if (!File.Exists(full))
                {
                    throw NotFound(full);
                }

                return full;
            }

            for (var dir = new DirectoryInfo(Path.GetFullPath(startFolder)); dir != null; dir = dir.Parent)
            {
                var file = Path.Combine(dir.FullName, FileName);
                if (File.Exists(file))
                {
                    return file;
                }
            }

            throw NotFound(startFolder);
        }

        /// <summary>
        /// Where the JSON breaks: line and column (1-based) and the few characters there, from System.Text.Json's own reading of
        /// the file (the configuration library's message has neither); else that library's message.
        /// </summary>
        private static string JsonProblem(string path, Exception e)
        {
            try
            {
                var bytes = File.ReadAllBytes(path);
                using (System.Text.Json.JsonDocument.Parse(bytes, new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true }))
                {
                }
            }
            catch (System.Text.Json.JsonException json) when (json.LineNumber != null)
            {
                var line = (int)json.LineNumber.Value;
                var column = (int)(json.BytePositionInLine ?? 0);
                var lines = File.ReadAllLines(path);
                var text = line < lines.Length ? lines[line] : string.Empty;
                var near = column < text.Length ? text.Substring(column, Math.Min(20, text.Length - column)).Trim() : string.Empty;
                var reason = json.Message.Split(new[] { " LineNumber:", " Path:" }, StringSplitOptions.None)[0].Trim();
                return $"line {line + 1}, column {column + 1}" + (near.Length > 0 ? $" (at '{near}')" : " (at the end of the line)") + ": " + reason;
            }
            catch (Exception other) when (other is IOException || other is UnauthorizedAccessException)
            {
            }

            return e.InnerException != null ? e.Message + " " + e.InnerException.Message : e.Message;
        }

        private static MlOpsException NotFound(string where) => new MlOpsException(ErrorIds.SettingsNotFound, MlOpsErrorKind.NotFound,
            $"No {FileName} found at '{where}' or in any folder above it.", where,
            $"Run the command inside a model project, pass -SettingsPath, or set {SettingsPathVariable}.");

        private static readonly Dictionary<string, ProjectSettings> Cache = new Dictionary<string, ProjectSettings>(StringComparer.Ordinal);

        /// <summary>
        /// Reads and validates a settings file. Throws <c>InvalidSettings</c> listing every error. Valid settings are
        /// remembered per file (path, size, write time) and MLOPS__ overrides, so a loop of calls does not re-read them;
        /// any change to the file or the overrides reads it again.
        /// </summary>
        public static ProjectSettings Load(string settingsPath, IDictionary? environment = null)
        {
            environment ??= Environment.GetEnvironmentVariables();
            var key = CacheKey(settingsPath, environment);
            lock (Cache)
            {
                if (key != null && Cache.TryGetValue(key, out var known) && known.Models.All(FilesStillThere))
                {
                    return known;
                }
            }

            var result = Check(settingsPath, environment);
            if (result.Settings == null)
            {
                var errors = result.Problems.Where(p => p.Severity == ProblemSeverity.Error).ToList();
                throw new MlOpsException(ErrorIds.InvalidSettings, MlOpsErrorKind.InvalidData,
                    $"{settingsPath} has {errors.Count} problem(s):" + Environment.NewLine +
                    string.Join(Environment.NewLine, errors.Select(p => "  " + p)),
                    settingsPath, "Fix the listed settings; Test-MlSetting -Detailed shows them as objects.");
            }

            lock (Cache)
            {
                if (key != null)
                {
                    if (Cache.Count > 32)
                    {
                        Cache.Clear();
                    }

                    Cache[key] = result.Settings;
                }
            }

            return result.Settings;
        }

        /// <summary>The files validation required still exist (a model file removed since the settings were read is reported again).</summary>
        private static bool FilesStillThere(ModelSettings model) =>
            Directory.Exists(model.CodeFolder) && File.Exists(model.ModelFile) && File.Exists(model.TestFile) && File.Exists(model.RequirementsFile)
            && (model.TestData == null || File.Exists(model.TestData));

        private static string? CacheKey(string settingsPath, IDictionary environment)
        {
            var file = new FileInfo(Path.GetFullPath(settingsPath));
            if (!file.Exists)
            {
                return null;
            }

            var overrides = environment.Keys.OfType<string>()
                .Where(k => k.StartsWith(OverridePrefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(k => k, StringComparer.Ordinal)
                .Select(k => k + "=" + environment[k]);
            return string.Join("\n", new[] { file.FullName, file.Length.ToString(), file.LastWriteTimeUtc.Ticks.ToString() }.Concat(overrides));
        }

        /// <summary>Reads and validates a settings file, returning every problem instead of throwing.</summary>
        public static SettingsCheckResult Check(string settingsPath, IDictionary? environment = null)
        {
            environment ??= Environment.GetEnvironmentVariables();
            var fullPath = Path.GetFullPath(settingsPath);
            var problems = new List<SettingsProblem>();
            if (!File.Exists(fullPath))
            {
                throw NotFound(fullPath);
            }

            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in environment)
            {
                var name = entry.Key as string;
                if (name != null && name.StartsWith(OverridePrefix, StringComparison.OrdinalIgnoreCase) && name.Length > OverridePrefix.Length)
                {
                    overrides[name.Substring(OverridePrefix.Length).Replace("__", ConfigurationPath.KeyDelimiter)] = entry.Value as string;
                }
            }

            IConfigurationRoot root;
            try
            {
                root = new ConfigurationBuilder()
                    .AddJsonFile(fullPath, optional: false, reloadOnChange: false)
                    .AddInMemoryCollection(overrides)
                    .Build();
            }
            catch (Exception e) when (e is FormatException || e is InvalidDataException || e is IOException)
            {
                problems.Add(new SettingsProblem(ProblemSeverity.Error, fullPath, "$", "The file is not valid JSON: " + JsonProblem(fullPath, e),
                    "a JSON object"));
                return new SettingsCheckResult(null, problems);
            }

            var fileSource = fullPath;
            var schema = new SettingsSchemaWalker(problems);
            schema.CheckKeys(new ConfigurationRoot(new List<IConfigurationProvider> { root.Providers.First() }), key => fileSource);
            schema.CheckKeys(new ConfigurationRoot(new List<IConfigurationProvider> { root.Providers.Last() }),
                key => "environment variable " + OverridePrefix + key.Replace(ConfigurationPath.KeyDelimiter, "__"));

            var settings = new SettingsBinder(fullPath, problems).Bind(root);
            var hasErrors = problems.Any(p => p.Severity == ProblemSeverity.Error);
            return new SettingsCheckResult(hasErrors ? null : settings, problems);
        }

        /// <summary>The current environment: an explicit name, else the <c>ENV</c> or <c>MODEL_ENV</c> variable, else null.</summary>
        public static string? ResolveEnvironmentName(string? explicitName, IDictionary? environment = null)
        {
            if (!string.IsNullOrEmpty(explicitName))
            {
                return explicitName;
            }

            environment ??= Environment.GetEnvironmentVariables();
            foreach (var variable in new[] { "ENV", "MODEL_ENV" })
            {
                if (environment[variable] is string value && value.Length > 0)
                {
                    return value;
                }
            }

            return null;
        }
    }
}
