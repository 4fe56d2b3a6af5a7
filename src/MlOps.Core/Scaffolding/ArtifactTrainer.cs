using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Python;

namespace MlOps.Scaffolding
{
    /// <summary>
    /// Trains a model's first artifact by calling its own <c>train(folder_path, secrets)</c> in Python from the project root,
    /// into a staging folder that becomes the artifact folder only when training succeeded.
    /// </summary>
    public static class ArtifactTrainer
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);
        private const string Marker = "MLOPS-TRAINING-METADATA ";

        private const string Script =
            "import json, sys\n" +
            "from importlib import import_module\n" +
            "metadata = import_module(sys.argv[1]).train(sys.argv[2], {})\n" +
            "print()\n" +
            "print('" + Marker + "' + json.dumps(metadata if isinstance(metadata, dict) else {}, default=str))\n";

        /// <summary>
        /// Runs <c>models.&lt;model&gt;.model.train</c> into <paramref name="artifactFolder"/> (replacing what is there) and returns
        /// its metadata as strings. An <c>InvalidModelCode</c> error with Python's output if it fails; the folder is then untouched.
        /// </summary>
        public static IReadOnlyDictionary<string, string> Train(PythonInterpreter python, string projectRoot, string model, string artifactFolder,
            IOperationReporter reporter, CancellationToken cancellationToken)
        {
            var parent = Path.GetDirectoryName(artifactFolder)!;
            var createdParent = !Directory.Exists(parent);
            var staging = Path.Combine(parent, $".{Path.GetFileName(artifactFolder)}.training-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);
            try
            {
                reporter.Verbose($"Training the first artifact of '{model}' with {python}: models.{model}.model.train('{staging}', {{}}).");
                var run = ProcessRunner.Run(python.Path, new[] { "-c", Script, $"models.{model}.model", staging }, projectRoot, null, Timeout,
                    cancellationToken);
                var line = run.Output.Replace("\r", string.Empty).Split('\n').LastOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
                if (run.ExitCode != 0 || line == null)
                {
                    throw new MlOpsException(ErrorIds.InvalidModelCode, MlOpsErrorKind.InvalidResult,
                        $"Training '{model}' failed (exit {run.ExitCode}): {run.Tail(15)}", model,
                        $"Run it yourself from {projectRoot}: python -c \"from models.{model}.model import train; train('artifacts/{model}', {{}})\"");
                }

                var metadata = ReadMetadata(line.Substring(Marker.Length));
                if (Directory.Exists(artifactFolder))
                {
                    Directory.Delete(artifactFolder, recursive: true);
                }

                Directory.Move(staging, artifactFolder);
                return metadata;
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }

                if (createdParent && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
                {
                    Directory.Delete(parent);
                }
            }
        }

        private static IReadOnlyDictionary<string, string> ReadMetadata(string json)
        {
            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            using (var document = JsonDocument.Parse(json))
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    result[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }
            }

            return result;
        }
    }
}
