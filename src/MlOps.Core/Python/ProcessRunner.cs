using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Diagnostics;

namespace MlOps.Python
{
    /// <summary>Runs a child process to completion, capturing its output, with a time limit and cancellation.</summary>
    public static class ProcessRunner
    {
        public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory,
            IDictionary<string, string>? environment, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var info = new ProcessStartInfo(fileName)
            {
                Arguments = JoinArguments(arguments),
                WorkingDirectory = workingDirectory,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
            };
            UsePythonDefaults(info);
            if (environment != null)
            {
                foreach (var pair in environment)
                {
                    info.Environment[pair.Key] = pair.Value;
                }
            }

            var clock = Stopwatch.StartNew();
            using (var process = new Process { StartInfo = info })
            {
                try
                {
                    process.Start();
                }
                catch (System.ComponentModel.Win32Exception e)
                {
                    throw new MlOpsException(ErrorIds.PythonNotFound, MlOpsErrorKind.NotInstalled, $"Cannot start '{fileName}': {e.Message}",
                        fileName, "Install Python 3, or set $env:MLOPS_PYTHON (or \"python\" in the settings) to its path.", e);
                }

                process.StandardInput.Close();
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                var deadline = DateTime.UtcNow + timeout;
                while (!process.WaitForExit(100))
                {
                    if (cancellationToken.IsCancellationRequested || DateTime.UtcNow > deadline)
                    {
                        Kill(process);
                        cancellationToken.ThrowIfCancellationRequested();
                        throw new MlOpsException(ErrorIds.ProcessTimedOut, MlOpsErrorKind.OperationTimeout,
                            $"'{fileName} {info.Arguments}' did not finish within {timeout.TotalSeconds:0} s and was stopped.", fileName);
                    }
                }

                process.WaitForExit();
                Task.WaitAll(output, error);
                return new ProcessResult(process.ExitCode, output.Result, error.Result, clock.Elapsed.TotalSeconds);
            }
        }

        /// <summary>How MlOps runs Python: no .pyc files beside the code, output not buffered, and UTF-8 on its streams.</summary>
        internal static void UsePythonDefaults(ProcessStartInfo info)
        {
            info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            info.Environment["PYTHONUNBUFFERED"] = "1";
            info.Environment["PYTHONIOENCODING"] = "utf-8";
        }

        internal static void Kill(Process process)
        {
            try
            {
                process.Kill();
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }

        /// <summary>Quotes arguments the way both the Windows and .NET-on-Unix command-line parsers split them back.</summary>
        public static string JoinArguments(IEnumerable<string> arguments)
        {
            var parts = new List<string>();
            foreach (var argument in arguments)
            {
                if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '"', '\'' }) < 0)
                {
                    parts.Add(argument);
                    continue;
                }

                var quoted = new System.Text.StringBuilder("\"");
                var backslashes = 0;
                foreach (var c in argument)
                {
                    if (c == '\\')
                    {
                        backslashes++;
                        continue;
                    }

                    quoted.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes);
                    backslashes = 0;
                    quoted.Append(c);
                }

                quoted.Append('\\', backslashes * 2).Append('"');
                parts.Add(quoted.ToString());
            }

            return string.Join(" ", parts);
        }
    }
}
