namespace MlOps.CdfEmulator;

/// <summary>
/// Fault injection, switchable while tests run. Rules are tried in the order added; the first enabled rule that
/// matches the request's route (e.g. <c>POST /files</c>, <c>PUT /upload/*</c>) and still has an action decides.
/// Routes of API calls leave out the <c>/api/v1/projects/{project}</c> prefix, so rules fit any resource
/// (Files today, Functions and Schedules later) without changes here.
/// </summary>
public sealed class Faults
{
    private readonly object gate = new();
    private readonly List<FaultRule> rules = [];
    private int injectedByRemoved;

    /// <summary>Faults of the Functions runtime: failed or endless deployments, crashing calls (not affected by <see cref="Enabled"/>).</summary>
    public FunctionFaults Functions { get; } = new();

    /// <summary>Master switch; when false no rule is consulted.</summary>
    public bool Enabled { get; set; } = true;

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (gate)
            {
                return rules.ToList();
            }
        }
    }

    /// <summary>Faults injected by all rules, including removed ones.</summary>
    public int Injected
    {
        get
        {
            lock (gate)
            {
                return injectedByRemoved + rules.Sum(r => r.Injected);
            }
        }
    }

    /// <summary>One action per matching request, in order; after the last one requests pass untouched.</summary>
    public FaultRule Script(string route, params FaultAction[] steps) => Add(new FaultRule(route, steps));

    /// <summary>The same action for every matching request until the rule is disabled or removed.</summary>
    public FaultRule Always(string route, FaultAction action) => Add(new FaultRule(route, action));

    /// <summary>
    /// With probability <paramref name="rate"/> a matching request gets one of <paramref name="choices"/> (picked uniformly);
    /// <paramref name="seed"/> makes the sequence repeatable.
    /// </summary>
    public FaultRule Random(string route, double rate, int seed, params FaultAction[] choices) => Add(new FaultRule(route, rate, seed, choices));

    public void Remove(FaultRule rule)
    {
        lock (gate)
        {
            if (rules.Remove(rule))
            {
                injectedByRemoved += rule.Injected;
            }
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            injectedByRemoved += rules.Sum(r => r.Injected);
            rules.Clear();
        }
    }

    internal FaultAction? Next(string method, string route)
    {
        if (!Enabled)
        {
            return null;
        }

        foreach (var rule in Rules)
        {
            if (rule.Next(method, route) is { } action)
            {
                return action;
            }
        }

        return null;
    }

    private FaultRule Add(FaultRule rule)
    {
        lock (gate)
        {
            rules.Add(rule);
        }

        return rule;
    }
}
