using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>
/// Functions, their calls and schedules, for all projects, under one lock. A create starts a background "build"
/// (Queued -> Deploying -> Ready | Failed after <see cref="CdfEmulatorOptions.FunctionBuildDelay"/>); a call runs the
/// handler for real in a Python process. Every process is killed when the emulator stops.
/// <code>
/// var fn = await cdf.Functions.WaitForDeploymentAsync(cdf.Project, id);     // Ready or Failed
/// var call = await cdf.Functions.WaitForCallAsync(cdf.Project, callId);      // Completed, Failed or Timeout
/// var scheduled = cdf.Functions.TriggerSchedule(cdf.Project, scheduleId);    // a call now, with the schedule's data
/// </code>
/// </summary>
public sealed class FunctionStore
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private readonly object gate = new();
    private readonly CdfEmulatorOptions options;
    private readonly EmulatorClock clock;
    private readonly CdfIds ids;
    private readonly FileStore files;
    private readonly Faults faults;
    private readonly Dictionary<long, FunctionState> functions = [];
    private readonly Dictionary<long, CallState> calls = [];
    private readonly Dictionary<long, FunctionSchedule> schedules = [];
    private readonly ConcurrentDictionary<long, Process> running = new();
    private readonly ConcurrentDictionary<Task, byte> background = new();
    private readonly CancellationTokenSource shutdown = new();
    private readonly string launcherPath;

    internal FunctionStore(CdfEmulatorOptions options, EmulatorClock clock, CdfIds ids, FileStore files, Faults faults)
    {
        this.options = options;
        this.clock = clock;
        this.ids = ids;
        this.files = files;
        this.faults = faults;
        WorkFolder = Path.Combine(files.StorageFolder, "functions");
        Directory.CreateDirectory(WorkFolder);
        launcherPath = Path.Combine(WorkFolder, PythonRunner.LauncherFileName);
        File.WriteAllText(launcherPath, PythonRunner.LauncherSource);
        Interpreter = PythonRunner.ResolveInterpreter(options);
    }

    /// <summary>Where code zips are kept and unpacked (one folder per function).</summary>
    public string WorkFolder { get; }

    /// <summary>The Python interpreter calls run with.</summary>
    public string Interpreter { get; }

    /// <summary>Python processes running right now (0 once the emulator has stopped).</summary>
    public int RunningProcesses => running.Count;

    public IReadOnlyList<CdfFunction> All(string project)
    {
        lock (gate)
        {
            return functions.Values.Where(f => f.Function.Project == project).OrderBy(f => f.Function.Id).Select(f => f.Function.Clone()).ToList();
        }
    }

    public CdfFunction? Find(string project, long id)
    {
        lock (gate)
        {
            return functions.TryGetValue(id, out var f) && f.Function.Project == project ? f.Function.Clone() : null;
        }
    }

    public CdfFunction? Find(string project, string externalId)
    {
        lock (gate)
        {
            return functions.Values.FirstOrDefault(f => f.Function.Project == project && f.Function.ExternalId == externalId)?.Function.Clone();
        }
    }

    /// <summary>Ends the build delay of a function now (the build itself, with its checks and faults, still runs).</summary>
    public void DeployNow(string project, long id) => State(project, id).Release.TrySetResult();

    /// <summary>Waits until the function is <c>Ready</c> or <c>Failed</c>; <see cref="TimeoutException"/> if it is not within <paramref name="timeout"/> (default 30 s).</summary>
    public async Task<CdfFunction> WaitForDeploymentAsync(string project, long id, TimeSpan? timeout = null)
    {
        var state = State(project, id);
        try
        {
            return await state.Deployed.Task.WaitAsync(timeout ?? DefaultWait);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Function {id} is still {Find(project, id)?.Status} after {timeout ?? DefaultWait}.");
        }
    }

    /// <summary>Calls of one function, ordered by id.</summary>
    public IReadOnlyList<FunctionCall> Calls(string project, long functionId)
    {
        lock (gate)
        {
            return calls.Values.Where(c => c.Call.Project == project && c.Call.FunctionId == functionId).OrderBy(c => c.Call.Id)
                .Select(c => c.Snapshot()).ToList();
        }
    }

    public FunctionCall? FindCall(string project, long callId)
    {
        lock (gate)
        {
            return calls.TryGetValue(callId, out var c) && c.Call.Project == project ? c.Snapshot() : null;
        }
    }

    /// <summary>Waits until the call has finished (<c>Completed</c>, <c>Failed</c> or <c>Timeout</c>); default timeout 30 s.</summary>
    public async Task<FunctionCall> WaitForCallAsync(string project, long callId, TimeSpan? timeout = null)
    {
        CallState state;
        lock (gate)
        {
            if (!calls.TryGetValue(callId, out state!) || state.Call.Project != project)
            {
                throw new ArgumentException($"No call {callId} in project {project}.", nameof(callId));
            }
        }

        await state.Done.Task.WaitAsync(timeout ?? DefaultWait);
        return FindCall(project, callId)!;
    }

    public IReadOnlyList<FunctionSchedule> Schedules(string project)
    {
        lock (gate)
        {
            return schedules.Values.Where(s => s.Project == project).OrderBy(s => s.Id).Select(s => s.Clone()).ToList();
        }
    }

    /// <summary>
    /// Fires a schedule now, as its cron would: a call with <c>schedule_id</c>, <c>scheduled_time</c> and the schedule's data.
    /// Throws <see cref="CdfApiException"/> (400) when the schedule or its function is gone or the function is not Ready.
    /// </summary>
    public FunctionCall TriggerSchedule(string project, long scheduleId)
    {
        FunctionSchedule schedule;
        lock (gate)
        {
            if (!schedules.TryGetValue(scheduleId, out schedule!) || schedule.Project != project)
            {
                throw new CdfApiException(400, "Schedule not found", missing: [ResourceIdentifier.ById(scheduleId)]);
            }
        }

        return StartCall(project, schedule.FunctionId, schedule.DataJson, schedule.SessionId, schedule.Id, clock.NowMs);
    }

    internal CdfFunction Create(CdfFunction function)
    {
        var file = files.Find(function.Project, function.FileId)
            ?? throw new CdfApiException(400, $"File with id {function.FileId} not found.", missing: [ResourceIdentifier.ById(function.FileId)]);
        if (!file.IsUploadedAt(clock.NowMs))
        {
            throw CdfApiException.BadRequest($"File with id {function.FileId} has not been uploaded yet (uploaded=false). Wait for it before creating the function.");
        }

        FunctionState state;
        lock (gate)
        {
            if (function.ExternalId is not null && functions.Values.Any(f => f.Function.Project == function.Project && f.Function.ExternalId == function.ExternalId))
            {
                throw new CdfApiException(409, "ExternalId duplicated", duplicated: [ResourceIdentifier.ByExternalId(function.ExternalId)]);
            }

            if (functions.Values.Count(f => f.Function.Project == function.Project) >= options.MaxFunctionsPerProject)
            {
                throw CdfApiException.BadRequest($"The project has reached its limit of {options.MaxFunctionsPerProject} functions.");
            }

            state = new FunctionState(function);
            functions[function.Id] = state;
        }

        Track(DeployAsync(state));
        return function.Clone();
    }

    internal List<CdfFunction> List(string project, Func<CdfFunction, bool> filter, int limit)
    {
        lock (gate)
        {
            return functions.Values.Select(f => f.Function).Where(f => f.Project == project).Where(filter).OrderBy(f => f.Id).Take(limit)
                .Select(f => f.Clone()).ToList();
        }
    }

    internal List<CdfFunction> Resolve(string project, IEnumerable<ResourceIdentifier> identifiers, bool ignoreUnknownIds)
    {
        lock (gate)
        {
            return ResolveLocked(project, identifiers, ignoreUnknownIds).Select(s => s.Function.Clone()).ToList();
        }
    }

    internal void Delete(string project, IReadOnlyList<ResourceIdentifier> identifiers, bool ignoreUnknownIds)
    {
        List<FunctionState> removed;
        lock (gate)
        {
            removed = ResolveLocked(project, identifiers, ignoreUnknownIds);
            foreach (var state in removed)
            {
                functions.Remove(state.Function.Id);
            }
        }

        foreach (var state in removed)
        {
            state.Release.TrySetResult();
        }
    }

    /// <summary>Starts a call of a Ready function; the handler runs in the background.</summary>
    internal FunctionCall StartCall(string project, long functionId, string? dataJson, long? sessionId, long? scheduleId = null, long? scheduledTime = null)
    {
        var state = State(project, functionId);
        CallState call;
        lock (gate)
        {
            if (state.Function.Status != "Ready")
            {
                throw CdfApiException.BadRequest($"Function {functionId} is not ready (status {state.Function.Status}); it can only be called when Ready.");
            }

            var now = clock.NowMs;
            call = new CallState(new FunctionCall
            {
                Project = project,
                Id = ids.Next(),
                FunctionId = functionId,
                StartTime = now,
                ScheduleId = scheduleId,
                ScheduledTime = scheduledTime,
                SessionId = sessionId,
            });
            calls[call.Call.Id] = call;
            state.Function.LastCalled = now;
        }

        Track(RunCallAsync(state, call, dataJson));
        lock (gate)
        {
            return call.Snapshot();
        }
    }

    internal (List<FunctionCall> Page, string? NextCursor) ListCalls(string project, long functionId, Func<FunctionCall, bool> filter, string? cursor, int limit)
    {
        State(project, functionId);
        lock (gate)
        {
            var matching = calls.Values.Select(c => c.Call).Where(c => c.Project == project && c.FunctionId == functionId).Where(filter).OrderBy(c => c.Id);
            var (page, next) = Paging.Page(matching, c => c.Id, "calls", cursor, limit, options.MaxPageSize);
            return (page.Select(c => calls[c.Id].Snapshot()).ToList(), next);
        }
    }

    internal List<FunctionCall> ResolveCalls(string project, long functionId, IEnumerable<long> callIds)
    {
        State(project, functionId);
        lock (gate)
        {
            var list = callIds.ToList();
            var missing = list.Where(id => !calls.TryGetValue(id, out var c) || c.Call.Project != project || c.Call.FunctionId != functionId).ToList();
            if (missing.Count > 0)
            {
                throw new CdfApiException(400, "Function calls not found", missing: missing.Select(ResourceIdentifier.ById).ToList());
            }

            return list.Select(id => calls[id].Snapshot()).ToList();
        }
    }

    internal FunctionSchedule CreateSchedule(FunctionSchedule schedule)
    {
        lock (gate)
        {
            schedules[schedule.Id] = schedule;
            return schedule.Clone();
        }
    }

    internal List<FunctionSchedule> ListSchedules(string project, Func<FunctionSchedule, bool> filter, int limit)
    {
        lock (gate)
        {
            return schedules.Values.Where(s => s.Project == project).Where(filter).OrderBy(s => s.Id).Take(limit).Select(s => s.Clone()).ToList();
        }
    }

    internal List<FunctionSchedule> ResolveSchedules(string project, IEnumerable<long> scheduleIds, bool ignoreUnknownIds)
    {
        lock (gate)
        {
            var list = scheduleIds.ToList();
            var missing = list.Where(id => !schedules.TryGetValue(id, out var s) || s.Project != project).ToList();
            if (missing.Count > 0 && !ignoreUnknownIds)
            {
                throw new CdfApiException(400, "Schedules not found", missing: missing.Select(ResourceIdentifier.ById).ToList());
            }

            return list.Except(missing).Select(id => schedules[id].Clone()).ToList();
        }
    }

    internal void DeleteSchedules(string project, IReadOnlyList<long> scheduleIds)
    {
        lock (gate)
        {
            ResolveSchedules(project, scheduleIds, ignoreUnknownIds: false);
            foreach (var id in scheduleIds)
            {
                schedules.Remove(id);
            }
        }
    }

    /// <summary>Stops builds, kills every Python process still running and waits for the background work to end.</summary>
    internal async Task ShutdownAsync()
    {
        await shutdown.CancelAsync();
        foreach (var process in running.Values)
        {
            PythonRunner.Kill(process);
        }

        try
        {
            await Task.WhenAll(background.Keys).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Background work reports its own failures on the call; a stuck task must not block shutdown.
        }

        foreach (var process in running.Values)
        {
            PythonRunner.Kill(process);
        }

        try
        {
            Directory.Delete(WorkFolder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task DeployAsync(FunctionState state)
    {
        await Task.Yield();
        var delay = options.FunctionBuildDelay;
        var half = delay == Timeout.InfiniteTimeSpan ? delay : delay / 2;
        await Task.WhenAny(Task.Delay(half, shutdown.Token), state.Release.Task);
        if (shutdown.IsCancellationRequested)
        {
            return;
        }

        CdfFunction snapshot;
        lock (gate)
        {
            state.Function.Status = "Deploying";
            snapshot = state.Function.Clone();
        }

        if (faults.Functions.Take(FunctionFaultKind.NeverReady, snapshot) is not null)
        {
            return;
        }

        await Task.WhenAny(Task.Delay(delay == Timeout.InfiniteTimeSpan ? delay : delay - half, shutdown.Token), state.Release.Task);
        if (shutdown.IsCancellationRequested)
        {
            return;
        }

        FunctionError? error;
        string? zipPath = null;
        if (faults.Functions.Take(FunctionFaultKind.FailDeployment, snapshot) is { } rule)
        {
            error = new FunctionError(rule.Message, rule.Trace, 400);
        }
        else if (files.Find(snapshot.Project, snapshot.FileId) is not { HasContent: true } file)
        {
            error = new FunctionError($"The code file {snapshot.FileId} no longer exists.", "", 400);
        }
        else
        {
            try
            {
                var bytes = file.ReadContent();
                error = FunctionBuild.Validate(bytes, snapshot.FunctionPath);
                if (error is null)
                {
                    // The build snapshots the code: later changes to the file do not change a deployed function.
                    var folder = Path.Combine(WorkFolder, snapshot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    Directory.CreateDirectory(folder);
                    zipPath = Path.Combine(folder, "code.zip");
                    await File.WriteAllBytesAsync(zipPath, bytes);
                }
            }
            catch (Exception e)
            {
                // Whatever goes wrong, the function must end Failed rather than stay Deploying for ever.
                error = new FunctionError("The build failed: " + e.Message, e.ToString(), 400);
            }
        }

        lock (gate)
        {
            if (error is null)
            {
                var code = Path.Combine(Path.GetDirectoryName(zipPath)!, "code");
                state.Unpacked = new Lazy<string>(() =>
                {
                    ZipFile.ExtractToDirectory(zipPath!, code, overwriteFiles: true);
                    return code;
                }, LazyThreadSafetyMode.ExecutionAndPublication);
                state.Function.Status = "Ready";
            }
            else
            {
                state.Function.Status = "Failed";
                state.Function.Error = error;
            }

            snapshot = state.Function.Clone();
        }

        state.Deployed.TrySetResult(snapshot);
    }

    private async Task RunCallAsync(FunctionState function, CallState call, string? dataJson)
    {
        await Task.Yield();
        PythonOutcome outcome;
        try
        {
            // Unpacked once per function, on its first call, then reused.
            var code = function.Unpacked!.Value;
            var info = new JsonObject { ["function_id"] = call.Call.FunctionId, ["call_id"] = call.Call.Id };
            if (call.Call.ScheduleId is long scheduleId)
            {
                info["schedule_id"] = scheduleId;
                info["scheduled_time"] = call.Call.ScheduledTime;
            }

            var payload = new JsonObject
            {
                ["data"] = dataJson is null ? null : JsonNode.Parse(dataJson),
                ["secrets"] = new JsonObject((function.Function.Secrets ?? new Dictionary<string, string>()).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                ["function_call_info"] = info,
            };
            var crash = faults.Functions.Take(FunctionFaultKind.CrashCall, function.Function);
            outcome = await PythonRunner.RunAsync(Interpreter, code, launcherPath, function.Function, payload, options.FunctionCallTimeout,
                options.FunctionResponseSizeLimit, crash?.After, line => call.Log(clock.NowMs, line), p => running[call.Call.Id] = p, shutdown.Token);
        }
        catch (Exception e)
        {
            outcome = new PythonOutcome("Failed", null, new FunctionError("The emulator could not run the function: " + e.Message, e.ToString()));
        }
        finally
        {
            running.TryRemove(call.Call.Id, out _);
        }

        FunctionCall done;
        lock (gate)
        {
            call.Call.Status = outcome.Status;
            call.Call.Error = outcome.Error;
            call.Call.ResponseJson = outcome.ResponseJson;
            call.Call.EndTime = clock.NowMs;
            done = call.Snapshot();
        }

        call.Done.TrySetResult(done);
    }

    private void Track(Task task)
    {
        background[task] = 0;
        _ = task.ContinueWith(t => background.TryRemove(t, out _), TaskScheduler.Default);
    }

    private FunctionState State(string project, long id)
    {
        lock (gate)
        {
            return functions.TryGetValue(id, out var state) && state.Function.Project == project
                ? state
                : throw new CdfApiException(400, "Function not found", missing: [ResourceIdentifier.ById(id)]);
        }
    }

    private List<FunctionState> ResolveLocked(string project, IEnumerable<ResourceIdentifier> identifiers, bool ignoreUnknownIds)
    {
        var found = new List<FunctionState>();
        var missing = new List<ResourceIdentifier>();
        foreach (var identifier in identifiers)
        {
            var state = functions.Values.FirstOrDefault(f => f.Function.Project == project
                && (identifier.Id is long id ? f.Function.Id == id : f.Function.ExternalId == identifier.ExternalId));
            if (state is null)
            {
                missing.Add(identifier);
            }
            else
            {
                found.Add(state);
            }
        }

        if (missing.Count > 0 && !ignoreUnknownIds)
        {
            throw new CdfApiException(400, "Functions not found", missing: missing);
        }

        return found;
    }

    private sealed class FunctionState(CdfFunction function)
    {
        public CdfFunction Function { get; } = function;

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<CdfFunction> Deployed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Lazy<string>? Unpacked { get; set; }
    }

    private sealed class CallState(FunctionCall call)
    {
        private readonly List<CallLogLine> logs = [];

        public FunctionCall Call { get; } = call;

        public TaskCompletionSource<FunctionCall> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Log(long timestamp, string message)
        {
            lock (logs)
            {
                logs.Add(new CallLogLine(timestamp, message));
            }
        }

        public FunctionCall Snapshot()
        {
            var copy = Call.Clone();
            lock (logs)
            {
                copy.Logs = logs.ToList();
            }

            return copy;
        }
    }
}
