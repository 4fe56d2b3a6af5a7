using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Python;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace MlOps.Migration
{
    /// <summary>
    /// Reads an akerbp.mlops project's settings into one dictionary per model: <c>mlops_settings.yaml</c> (later versions:
    /// one YAML document per model, anchors and merge keys allowed) or <c>mlops_settings.py</c> (the 2021 seed: a Python
    /// module, evaluated by the project's Python, never parsed by hand). Values are strings, booleans, numbers, lists and
    /// dictionaries, as the file gave them.
    /// </summary>
    public static class AkerbpSettingsReader
    {
        public const string YamlFileName = "mlops_settings.yaml";
        public const string PythonFileName = "mlops_settings.py";
        private const string Marker = "MLOPS-AKERBP-SETTINGS ";

        /// <summary>The fields one model has in akerbp.mlops's settings, across its versions.</summary>
        public static readonly IReadOnlyList<string> ModelFields = new[]
        {
            "model_name", "human_friendly_model_name", "model_file", "req_file", "test_file", "artifact_folder", "artifact_version",
            "platform", "python_version", "dataset", "info", "keep_all_models", "models_to_keep", "helper_models", "packages_to_check", "model_id",
        };

        /// <summary>The settings file of the akerbp.mlops project in <paramref name="projectRoot"/>: the YAML one if both exist.</summary>
        public static string Find(string projectRoot)
        {
            foreach (var name in new[] { YamlFileName, "mlops_settings.yml", PythonFileName })
            {
                var path = Path.Combine(projectRoot, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }

            throw new MlOpsException(ErrorIds.AkerbpSettingsNotFound, MlOpsErrorKind.NotFound,
                $"{projectRoot} has no akerbp.mlops settings ({YamlFileName} or {PythonFileName}).", projectRoot,
                "Run the command in the root of the akerbp.mlops repository (where mlops_settings.yaml or mlops_settings.py is), or name it with -Path.");
        }

        /// <summary>One dictionary per model, in the file's order.</summary>
        public static IReadOnlyList<IReadOnlyDictionary<string, object?>> Read(string settingsFile, Func<PythonInterpreter> python, CancellationToken cancellationToken)
        {
            var documents = settingsFile.EndsWith(".py", StringComparison.OrdinalIgnoreCase)
                ? FromPythonModule(settingsFile, python(), cancellationToken)
                : FromYaml(settingsFile);
            if (documents.Count == 0)
            {
                throw Invalid(settingsFile, "it defines no model (no model_name)", null);
            }

            return documents;
        }

        /// <summary>Every YAML document of the file (akerbp.mlops: <c>yaml.safe_load_all</c>, one model each).</summary>
        public static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromYaml(string path)
        {
            var result = new List<IReadOnlyDictionary<string, object?>>();
            try
            {
                using (var reader = new StreamReader(path))
                {
                    var parser = new MergingParser(new Parser(reader));
                    var deserializer = new DeserializerBuilder().Build();
                    parser.Consume<StreamStart>();
                    while (parser.Accept<DocumentStart>(out _))
                    {
                        var document = deserializer.Deserialize<object?>(parser);
                        if (document == null)
                        {
                            continue;
                        }

                        if (!(Plain(document) is Dictionary<string, object?> model))
                        {
                            throw Invalid(path, $"document {result.Count + 1} is not a mapping of settings", null);
                        }

                        result.Add(model);
                    }
                }
            }
            catch (YamlException e)
            {
                throw Invalid(path, $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
            }

            return result;
        }

        private const string EvaluateScript = @"
import json, os, runpy, sys, types
path = sys.argv[1]
sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
namespace = runpy.run_path(path, run_name='mlops_settings')
def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return {'__unsupported__': type(value).__name__}
out = {}
for key, value in namespace.items():
    if key.startswith('_') or isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)):
        continue
    out[key] = plain(value)
print('" + Marker + @"' + json.dumps(out))
";

        /// <summary>
        /// Evaluates <c>mlops_settings.py</c> with the project's Python (from the project root, as akerbp.mlops imported it) and
        /// reads its module-level values: singular fields (<c>model_name = …</c>) describe one model; lists under the plural names
        /// (<c>model_names = […]</c>, <c>model_files</c>, …) describe several, a singular field then applying to all; a list of
        /// dictionaries with <c>model_name</c> describes one model each.
        /// </summary>
        public static IReadOnlyList<IReadOnlyDictionary<string, object?>> FromPythonModule(string path, PythonInterpreter python, CancellationToken cancellationToken)
        {
            var root = Path.GetDirectoryName(Path.GetFullPath(path))!;
            var run = ProcessRunner.Run(python.Path, new[] { "-c", EvaluateScript, path }, root, null, TimeSpan.FromSeconds(60), cancellationToken);
            var line = run.Output.Replace("\r", string.Empty).Split('\n').LastOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
            if (run.ExitCode != 0 || line == null)
            {
                throw Invalid(path, $"{python.Path} could not run it (exit {run.ExitCode}):\n{run.Tail(12)}", null);
            }

            Dictionary<string, object?> values;
            using (var json = JsonDocument.Parse(line.Substring(Marker.Length)))
            {
                values = (Dictionary<string, object?>)FromJson(json.RootElement)!;
            }

            return Split(values);
        }

        /// <summary>The models a settings module describes (see <see cref="FromPythonModule"/>).</summary>
        internal static IReadOnlyList<IReadOnlyDictionary<string, object?>> Split(Dictionary<string, object?> values)
        {
            var listed = values.Values.OfType<List<object?>>()
                .FirstOrDefault(list => list.Count > 0 && list.All(item => item is Dictionary<string, object?> d && d.ContainsKey("model_name")));
            if (listed != null)
            {
                return listed.Cast<Dictionary<string, object?>>().ToList();
            }

            var plural = ModelFields.Select(f => (Field: f, Key: Plural(f))).Where(p => values.TryGetValue(p.Key, out var v) && v is List<object?>).ToList();
            var count = plural.Any(p => p.Field == "model_name") ? ((List<object?>)values["model_names"]!).Count : values.ContainsKey("model_name") ? 1 : 0;
            var models = new List<IReadOnlyDictionary<string, object?>>();
            for (var i = 0; i < count; i++)
            {
                // Shared values first (a singular field applies to every model), then each model's own from the plural lists.
                var model = values.Where(p => !plural.Any(q => q.Key == p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
                foreach (var (field, key) in plural)
                {
                    var list = (List<object?>)values[key]!;
                    if (i < list.Count)
                    {
                        model[field] = list[i];
                    }
                }

                models.Add(model);
            }

            return models;
        }

        private static string Plural(string field) => field == "info" ? "infos" : field + "s";

        private static object? FromJson(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    return element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal);
                case JsonValueKind.Array:
                    return element.EnumerateArray().Select(FromJson).ToList();
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                case JsonValueKind.Number:
                    return element.TryGetInt64(out var whole) ? whole : (object)element.GetDouble();
                default:
                    return null;
            }
        }

        /// <summary>YamlDotNet's untyped result with string keys (scalars stay strings, as YAML gave them).</summary>
        private static object? Plain(object? value)
        {
            switch (value)
            {
                case IDictionary<object, object?> map:
                    return map.ToDictionary(p => Convert.ToString(p.Key, CultureInfo.InvariantCulture) ?? string.Empty, p => Plain(p.Value), StringComparer.Ordinal);
                case IList<object?> list:
                    return list.Select(Plain).ToList();
                default:
                    return value;
            }
        }

        private static MlOpsException Invalid(string path, string problem, Exception? inner) =>
            new MlOpsException(ErrorIds.InvalidAkerbpSettings, MlOpsErrorKind.InvalidData, $"{path} cannot be read: {problem}", path,
                "Fix the file so that akerbp.mlops itself would read it (each model needs model_name and model_file), then run the import again.", inner);
    }
}
