using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>How one run of a handler ended.</summary>
internal sealed record PythonOutcome(string Status, string? ResponseJson, FunctionError? Error);

/// <summary>
/// Runs a handler in its own Python process: the unpacked code folder is the working directory and on
/// <c>sys.path</c>; a small launcher imports the module at <c>functionPath</c>, calls <c>handle</c> with the
/// arguments its signature names, and writes the JSON result to a file (stdout/stderr stay the call's logs).
/// </summary>
internal static class PythonRunner
{
    public const string LauncherFileName = "cdf_emulator_launcher.py";

    // Kept small and dependency-free; reads {data, secrets, function_call_info} from stdin.
    public const string LauncherSource = """
import importlib.util, inspect, json, os, sys, traceback

def main():
    function_path, result_path = sys.argv[1], sys.argv[2]
    payload = json.loads(sys.stdin.read() or "{}")
    root = os.getcwd()
    if root not in sys.path:
        sys.path.insert(0, root)
    def write(result):
        with open(result_path, "w", encoding="utf-8") as f:
            f.write(result)
    try:
        module_name = function_path[:-3].replace("/", ".") if function_path.endswith(".py") else function_path.replace("/", ".")
        spec = importlib.util.spec_from_file_location(module_name, os.path.join(root, function_path))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        handle = getattr(module, "handle")
        available = {"client": None, "data": payload.get("data"), "secrets": payload.get("secrets") or {},
                     "function_call_info": payload.get("function_call_info") or {}}
        names = inspect.signature(handle).parameters
        result = handle(**{k: v for k, v in available.items() if k in names})
        try:
            text = json.dumps(result, allow_nan=False)
        except (TypeError, ValueError) as e:
            write(json.dumps({"ok": False, "message": "The function's return value is not JSON serializable: " + str(e), "trace": ""}))
            return
        sys.stdout.flush(); sys.stderr.flush()
        write('{"ok": true, "response": ' + text + '}')
    except BaseException as e:
        trace = traceback.format_exc()
        sys.stderr.write(trace); sys.stderr.flush()
        write(json.dumps({"ok": False, "message": "%s: %s" % (type(e).__name__, e), "trace": trace}))

main()
""";

    /// <summary>The interpreter to use: the option, else <c>MLOPS_PYTHON</c>, else <c>/usr/bin/python3</c>, else <c>python3</c>.</summary>
    public static string ResolveInterpreter(CdfEmulatorOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PythonPath))
        {
            return options.PythonPath;
        }

        if (Environment.GetEnvironmentVariable("MLOPS_PYTHON") is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        return File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    }

    /// <summary>
    /// Runs one call to the end. <paramref name="started"/> hands out the process (so shutdown can kill it);
    /// <paramref name="crashAfter"/> kills it that long after start (the crash fault); <paramref name="stop"/> kills it (shutdown).
    /// </summary>
    public static async Task<PythonOutcome> RunAsync(string interpreter, string codeFolder, string launcherPath, CdfFunction function,
        JsonObject payload, TimeSpan timeout, int responseLimit, TimeSpan? crashAfter, Action<string> log, Action<Process> started,
        CancellationToken stop)
    {
        var resultPath = Path.Combine(Path.GetDirectoryName(launcherPath)!, $"result-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(interpreter)
        {
            WorkingDirectory = codeFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[] { "-u", "-B", launcherPath, function.FunctionPath, resultPath })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in function.EnvVars ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        start.Environment["PYTHONIOENCODING"] = "utf-8";

        using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log(e.Data);
            }
        };

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new PythonOutcome("Failed", null, new FunctionError($"Could not start Python '{interpreter}': {e.Message}", e.ToString()));
        }

        started(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.StandardInput.WriteAsync(payload.ToJsonString());
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process died before reading its input; its exit tells the rest.
        }

        using var timeoutCts = new CancellationTokenSource(timeout);
        using var crashCts = new CancellationTokenSource(crashAfter ?? Timeout.InfiniteTimeSpan);
        using var any = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, crashCts.Token, stop);
        var killedFor = "";
        try
        {
            await process.WaitForExitAsync(any.Token);
        }
        catch (OperationCanceledException)
        {
            killedFor = timeoutCts.IsCancellationRequested ? "timeout" : crashCts.IsCancellationRequested ? "crash" : "shutdown";
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        try
        {
            switch (killedFor)
            {
                case "timeout":
                    return new PythonOutcome("Timeout", null,
                        new FunctionError($"Function call timed out after {timeout.TotalSeconds:0.###} seconds and was stopped."));
                case "crash":
                    return new PythonOutcome("Failed", null, new FunctionError(
                        $"The function process crashed (killed by signal, exit code {process.ExitCode}) while the call was running.",
                        "Process terminated unexpectedly (injected crash)."));
                case "shutdown":
                    return new PythonOutcome("Failed", null, new FunctionError("The emulator stopped while the call was running."));
            }

            if (!File.Exists(resultPath))
            {
                return new PythonOutcome("Failed", null,
                    new FunctionError($"The function process exited with code {process.ExitCode} without returning a result.", ""));
            }

            var size = new FileInfo(resultPath).Length;
            if (size > responseLimit + 64L)
            {
                return new PythonOutcome("Failed", null,
                    new FunctionError($"The function response is too large ({size} bytes); the limit is {responseLimit} bytes."));
            }

            var result = JsonNode.Parse(await File.ReadAllTextAsync(resultPath, CancellationToken.None))!.AsObject();
            if ((bool?)result["ok"] != true)
            {
                return new PythonOutcome("Failed", null, new FunctionError((string?)result["message"] ?? "The function failed.", (string?)result["trace"]));
            }

            var response = result["response"]?.ToJsonString() ?? "null";
            var bytes = Encoding.UTF8.GetByteCount(response);
            if (bytes > responseLimit)
            {
                return new PythonOutcome("Failed", null,
                    new FunctionError($"The function response is too large ({bytes} bytes); the limit is {responseLimit} bytes."));
            }

            return new PythonOutcome("Completed", response, null);
        }
        finally
        {
            try
            {
                File.Delete(resultPath);
            }
            catch (IOException)
            {
            }
        }
    }

    public static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting right now.
        }
    }
}
