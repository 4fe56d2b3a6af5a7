using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MlOps.Diagnostics;

namespace MlOps.Python
{
    /// <summary>
    /// Finds the Python that runs model tests and Local services: <c>$env:MLOPS_PYTHON</c>, else the settings'
    /// <c>python</c>, else the first of python3, python, /usr/bin/python3 that has pytest. Says exactly what is missing.
    /// </summary>
    public static class PythonLocator
    {
        public const string Variable = "MLOPS_PYTHON";
        private static readonly Dictionary<string, PythonInterpreter?> Probed = new Dictionary<string, PythonInterpreter?>(StringComparer.Ordinal);

        private const string ProbeScript =
            "import importlib.util, json, sys; print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], " +
            "'pytest': importlib.util.find_spec('pytest') is not None}))";

        public static PythonInterpreter Find(string? configured, string projectRoot, IDictionary? environment = null)
        {
            environment ??= Environment.GetEnvironmentVariables();
            var explicitChoice = environment[Variable] as string;
            var source = $"${Variable}";
            if (string.IsNullOrWhiteSpace(explicitChoice))
            {
                explicitChoice = configured;
                source = "the settings' \"python\"";
            }

            if (!string.IsNullOrWhiteSpace(explicitChoice))
            {
                var path = explicitChoice!.IndexOfAny(new[] { '/', '\\' }) >= 0 ? Path.GetFullPath(Path.Combine(projectRoot, explicitChoice)) : explicitChoice;
                var chosen = Probe(path) ?? throw new MlOpsException(ErrorIds.PythonNotFound, MlOpsErrorKind.NotInstalled,
                    $"The Python named by {source} ('{explicitChoice}') cannot be started.", explicitChoice,
                    $"Point {source} at a Python 3 interpreter, or remove it to let MlOps search PATH.");
                return chosen.HasPytest ? chosen : throw NoPytest(new[] { chosen });
            }

            var candidates = new[] { "python3", "python", "/usr/bin/python3" }
                .Select(Probe)
                .Where(p => p != null)
                .Select(p => p!)
                .ToList();
            var withPytest = candidates.FirstOrDefault(p => p.HasPytest);
            if (withPytest != null)
            {
                return withPytest;
            }

            if (candidates.Count == 0)
            {
                throw new MlOpsException(ErrorIds.PythonNotFound, MlOpsErrorKind.NotInstalled,
                    "No Python was found (tried python3, python and /usr/bin/python3).", null,
                    $"Install Python 3 with pytest (Debian/Ubuntu: apt-get install python3-pytest), or set ${Variable} to an interpreter.");
            }

            throw NoPytest(candidates);
        }

        private static MlOpsException NoPytest(IReadOnlyList<PythonInterpreter> found) =>
            new MlOpsException(ErrorIds.PythonPackageMissing, MlOpsErrorKind.NotInstalled,
                $"pytest is not installed in {string.Join(", ", found)}; MlOps runs model tests with it.", found[0].Path,
                $"Install it (Debian/Ubuntu: apt-get install python3-pytest; elsewhere: {found[0].Path} -m pip install pytest), " +
                $"or set ${Variable} to a Python that has it.");

        /// <summary>Starts the interpreter once to read its version and whether pytest is importable; null if it cannot start.</summary>
        public static PythonInterpreter? Probe(string path)
        {
            lock (Probed)
            {
                if (Probed.TryGetValue(path, out var known))
                {
                    return known;
                }
            }

            PythonInterpreter? result = null;
            try
            {
                var run = ProcessRunner.Run(path, new[] { "-c", ProbeScript }, Directory.GetCurrentDirectory(), null, TimeSpan.FromSeconds(30),
                    CancellationToken.None);
                if (run.ExitCode == 0)
                {
                    using (var json = System.Text.Json.JsonDocument.Parse(run.Output.Trim()))
                    {
                        result = new PythonInterpreter(path, json.RootElement.GetProperty("version").GetString() ?? "?",
                            json.RootElement.GetProperty("pytest").GetBoolean());
                    }
                }
            }
            catch (MlOpsException)
            {
            }
            catch (System.Text.Json.JsonException)
            {
            }

            lock (Probed)
            {
                Probed[path] = result;
            }

            return result;
        }
    }
}
