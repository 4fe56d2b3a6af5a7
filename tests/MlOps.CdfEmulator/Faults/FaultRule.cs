namespace MlOps.CdfEmulator;

/// <summary>
/// A fault rule for one route pattern: either a script (one action per matching request, in order, then pass)
/// or a steady random rate (seeded, so a test run is repeatable). Counts what it matched and injected.
/// </summary>
public sealed class FaultRule
{
    private readonly object gate = new();
    private readonly Queue<FaultAction>? script;
    private readonly FaultAction? always;
    private readonly Random? random;
    private readonly double rate;
    private readonly FaultAction[] choices = [];
    private readonly List<FaultAction> injected = [];
    private int matched;

    private FaultRule(string route) => Pattern = new RoutePattern(route);

    internal FaultRule(string route, IEnumerable<FaultAction> steps)
        : this(route) => script = new Queue<FaultAction>(steps);

    internal FaultRule(string route, FaultAction action)
        : this(route) => always = action;

    internal FaultRule(string route, double rate, int seed, FaultAction[] choices)
        : this(route)
    {
        if (rate is < 0 or > 1 || choices.Length == 0)
        {
            throw new ArgumentException("rate must be within 0..1 and at least one action given.");
        }

        this.rate = rate;
        this.choices = choices;
        random = new Random(seed);
    }

    public RoutePattern Pattern { get; }

    /// <summary>Switch the rule off and on while a test runs.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests this rule was asked about (enabled and matching).</summary>
    public int Matched
    {
        get
        {
            lock (gate)
            {
                return matched;
            }
        }
    }

    /// <summary>Faults actually injected (every action except <see cref="FaultAction.Pass"/>).</summary>
    public int Injected
    {
        get
        {
            lock (gate)
            {
                return injected.Count;
            }
        }
    }

    /// <summary>The injected actions in order.</summary>
    public IReadOnlyList<FaultAction> InjectedActions
    {
        get
        {
            lock (gate)
            {
                return injected.ToList();
            }
        }
    }

    /// <summary>True when a script has run out; the rule then lets everything through.</summary>
    public bool IsExhausted
    {
        get
        {
            lock (gate)
            {
                return script is { Count: 0 };
            }
        }
    }

    /// <summary>The action for the next matching request, or null when this rule has nothing (left) to say.</summary>
    internal FaultAction? Next(string method, string route)
    {
        if (!Enabled || !Pattern.Matches(method, route))
        {
            return null;
        }

        lock (gate)
        {
            if (script is { Count: 0 })
            {
                return null;
            }

            matched++;
            var action = script?.Dequeue()
                ?? always
                ?? (random!.NextDouble() < rate ? choices[random.Next(choices.Length)] : FaultAction.Pass);
            if (action.Kind != FaultKind.Pass)
            {
                injected.Add(action);
            }

            return action;
        }
    }

    public override string ToString() => $"{Pattern} matched {Matched}, injected {Injected}";
}
