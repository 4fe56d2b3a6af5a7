namespace MlOps.CdfEmulator;

/// <summary>What a <see cref="FunctionFaultRule"/> does to the functions it matches.</summary>
public enum FunctionFaultKind
{
    /// <summary>The build fails: status <c>Failed</c> with the rule's message and trace, whatever the zip holds.</summary>
    FailDeployment,

    /// <summary>The build never finishes: status stays <c>Deploying</c>.</summary>
    NeverReady,

    /// <summary>The Python process of a call is killed mid-call: status <c>Failed</c>.</summary>
    CrashCall,
}

/// <summary>
/// One function fault. <see cref="Function"/> names the function by externalId or name (null: every function).
/// Deployment rules are checked when a build starts; crash rules when a call starts. Counts what it injected.
/// </summary>
public sealed class FunctionFaultRule
{
    private int injected;

    internal FunctionFaultRule(FunctionFaultKind kind, string? function)
    {
        Kind = kind;
        Function = function;
    }

    public FunctionFaultKind Kind { get; }

    public string? Function { get; }

    /// <summary>Message of the forced deploy failure.</summary>
    public string Message { get; init; } = "Deployment failed.";

    /// <summary>Trace of the forced deploy failure (e.g. pip output).</summary>
    public string Trace { get; init; } = "";

    /// <summary>For crashes: how long after the process starts it is killed.</summary>
    public TimeSpan After { get; init; }

    /// <summary>Switch the rule off and on while a test runs.</summary>
    public bool Enabled { get; set; } = true;

    public int Injected => Volatile.Read(ref injected);

    internal bool Matches(FunctionFaultKind kind, CdfFunction function) =>
        Enabled && Kind == kind && (Function is null || Function == function.ExternalId || Function == function.Name);

    internal void Count() => Interlocked.Increment(ref injected);

    public override string ToString() => $"{Kind} {Function ?? "*"} injected {Injected}";
}

/// <summary>
/// Faults of the Functions runtime (as opposed to HTTP faults on routes, which <see cref="Faults"/> handles for
/// <c>/functions/...</c> routes like any other): failed or endless deployments and crashing calls.
/// <code>
/// cdf.Faults.Functions.FailDeployment("my-fn", trace: "ERROR: No matching distribution found for torch==9.9");
/// cdf.Faults.Functions.NeverReady("stuck-fn");
/// cdf.Faults.Functions.CrashCall("my-fn", after: TimeSpan.FromMilliseconds(200));
/// </code>
/// </summary>
public sealed class FunctionFaults
{
    private readonly object gate = new();
    private readonly List<FunctionFaultRule> rules = [];

    public IReadOnlyList<FunctionFaultRule> Rules
    {
        get
        {
            lock (gate)
            {
                return rules.ToList();
            }
        }
    }

    /// <summary>Builds of the named function (externalId or name; null: all) end <c>Failed</c> with this message and trace.</summary>
    public FunctionFaultRule FailDeployment(string? function = null, string trace = "ERROR: injected build failure",
        string message = "Function deployment failed (injected fault).") =>
        Add(new FunctionFaultRule(FunctionFaultKind.FailDeployment, function) { Message = message, Trace = trace });

    /// <summary>Builds of the named function never finish: it stays <c>Deploying</c>.</summary>
    public FunctionFaultRule NeverReady(string? function = null) => Add(new FunctionFaultRule(FunctionFaultKind.NeverReady, function));

    /// <summary>Calls of the named function have their Python process killed <paramref name="after"/> it starts (default 100 ms).</summary>
    public FunctionFaultRule CrashCall(string? function = null, TimeSpan? after = null) =>
        Add(new FunctionFaultRule(FunctionFaultKind.CrashCall, function) { After = after ?? TimeSpan.FromMilliseconds(100) });

    public void Remove(FunctionFaultRule rule)
    {
        lock (gate)
        {
            rules.Remove(rule);
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    /// <summary>The first enabled rule of <paramref name="kind"/> matching <paramref name="function"/>, counted as injected.</summary>
    internal FunctionFaultRule? Take(FunctionFaultKind kind, CdfFunction function)
    {
        var rule = Rules.FirstOrDefault(r => r.Matches(kind, function));
        rule?.Count();
        return rule;
    }

    private FunctionFaultRule Add(FunctionFaultRule rule)
    {
        lock (gate)
        {
            rules.Add(rule);
        }

        return rule;
    }
}
