using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using MlOps.Diagnostics;

namespace MlOps.Python
{
    /// <summary>A model's requirements.model: pinned <c>name==version</c> lines (comments and blank lines allowed).</summary>
    public sealed class RequirementsFile
    {
        private static readonly Regex Pinned = new Regex(@"^(?<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*(?<version>[A-Za-z0-9.+!*_-]+)\s*(;.*)?$");

        private static readonly Regex FrameworkName = new Regex(@"^\s*akerbp[-_.]+mlops\b", RegexOptions.IgnoreCase);

        private RequirementsFile(string path, IReadOnlyList<(string Name, string Version)> packages, IReadOnlyList<string> frameworkPins, IReadOnlyList<string> lines)
        {
            Path = path;
            Packages = packages;
            FrameworkPins = frameworkPins;
            _lines = lines;
        }

        private readonly IReadOnlyList<string> _lines;

        public string Path { get; }

        /// <summary>The packages the model needs, pinned; the framework's own pin is not among them.</summary>
        public IReadOnlyList<(string Name, string Version)> Packages { get; }

        /// <summary>
        /// akerbp.mlops's own requirement (<c>akerbp-mlops==MLOPS_VERSION</c>, which every akerbp.mlops project lists): recognised and
        /// not installed, because the MlOps runtime provides what model code imports from it (its loggers and exceptions).
        /// </summary>
        public IReadOnlyList<string> FrameworkPins { get; }

        /// <summary>
        /// The file as it goes into a package's requirements.txt: the framework's pin becomes a comment (pip on CDF Functions
        /// would otherwise fail on MLOPS_VERSION, and the runtime in the package provides its names).
        /// </summary>
        public byte[] PackagedContent()
        {
            var text = new System.Text.StringBuilder();
            foreach (var line in _lines)
            {
                text.Append(FrameworkName.IsMatch(line.Split('#')[0]) ? "# " + line.Trim() + "  (akerbp.mlops: provided by the MlOps runtime)" : line).Append('\n');
            }

            return new System.Text.UTF8Encoding(false).GetBytes(text.ToString());
        }

        /// <summary>Reads the file; every requirement must be pinned with <c>==</c> so a service installs exactly what was tested.</summary>
        public static RequirementsFile Read(string path)
        {
            var packages = new List<(string, string)>();
            var framework = new List<string>();
            var problems = new List<string>();
            var number = 0;
            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new MlOpsException(ErrorIds.InvalidModelCode, MlOpsErrorKind.InvalidData, $"The requirements file {path} cannot be read: {e.Message}", path,
                    "Put the model's pinned requirements (name==version per line) in requirements.model in its code folder, or name the file in \"requirementsFile\".", e);
            }

            foreach (var raw in lines)
            {
                number++;
                var line = raw.Split('#')[0].Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                if (FrameworkName.IsMatch(line))
                {
                    framework.Add(line);
                    continue;
                }

                var match = Pinned.Match(line);
                if (!match.Success)
                {
                    problems.Add($"line {number}: '{raw.Trim()}'");
                    continue;
                }

                packages.Add((match.Groups["name"].Value, match.Groups["version"].Value));
            }

            if (problems.Count > 0)
            {
                throw new MlOpsException(ErrorIds.InvalidModelCode, MlOpsErrorKind.InvalidData,
                    $"{path} has requirements that are not pinned to one version: {string.Join("; ", problems)}.", path,
                    "Pin every requirement as name==version (for example scikit-learn==1.2.1), so the service runs what was tested.");
            }

            return new RequirementsFile(path, packages, framework, lines);
        }

        private const string CheckScript =
            "import json, sys\nfrom importlib import metadata\nout = {}\nfor name in sys.argv[1:]:\n" +
            "    try:\n        out[name] = metadata.version(name)\n    except metadata.PackageNotFoundError:\n        out[name] = None\nprint(json.dumps(out))";

        /// <summary>
        /// Checks the requirements against what <paramref name="python"/> has installed (the Local platform installs nothing):
        /// a missing package is an error naming the fix, a different version a warning.
        /// </summary>
        public void CheckInstalled(PythonInterpreter python, IOperationReporter reporter, CancellationToken cancellationToken)
        {
            if (Packages.Count == 0)
            {
                return;
            }

            var run = ProcessRunner.Run(python.Path, new[] { "-c", CheckScript }.Concat(Packages.Select(p => p.Name)), Directory.GetCurrentDirectory(),
                null, TimeSpan.FromSeconds(60), cancellationToken);
            if (run.ExitCode != 0)
            {
                throw new MlOpsException(ErrorIds.PythonNotFound, MlOpsErrorKind.NotInstalled,
                    $"{python} could not list its installed packages: {run.Tail(5)}", python.Path);
            }

            var missing = new List<string>();
            using (var json = JsonDocument.Parse(run.Output.Trim()))
            {
                foreach (var (name, version) in Packages)
                {
                    var installed = json.RootElement.GetProperty(name);
                    if (installed.ValueKind == JsonValueKind.Null)
                    {
                        missing.Add($"{name}=={version}");
                    }
                    else if (!string.Equals(installed.GetString(), version, StringComparison.OrdinalIgnoreCase))
                    {
                        reporter.Warning($"{Path} pins {name}=={version}, but {python.Path} has {name} {installed.GetString()}.");
                    }
                }
            }

            if (missing.Count > 0)
            {
                throw new MlOpsException(ErrorIds.PythonPackageMissing, MlOpsErrorKind.NotInstalled,
                    $"{python} lacks packages that {Path} requires: {string.Join(", ", missing)}.", Path,
                    $"Install them into that Python ({python.Path} -m pip install {string.Join(" ", missing)}; on Debian the python3-<name> packages), " +
                    $"or set ${PythonLocator.Variable} to a Python that has them.");
            }
        }
    }
}
