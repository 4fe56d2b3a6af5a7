namespace MlOps.CdfEmulator;

/// <summary>Every request the emulator received, in arrival order, for assertions.</summary>
public sealed class RequestLog
{
    private readonly object gate = new();
    private readonly List<LoggedRequest> entries = [];
    private long sequence;

    /// <summary>A copy of the log so far.</summary>
    public IReadOnlyList<LoggedRequest> All
    {
        get
        {
            lock (gate)
            {
                return entries.ToList();
            }
        }
    }

    /// <summary>Requests whose route key (e.g. <c>POST /files</c>) matches <paramref name="routePattern"/> (<c>*</c> wildcards).</summary>
    public IReadOnlyList<LoggedRequest> Matching(string routePattern)
    {
        var pattern = new RoutePattern(routePattern);
        return All.Where(r => pattern.Matches(r.Method, r.Route)).ToList();
    }

    /// <summary>Requests where <paramref name="text"/> appears in a header, the query or the body (for leak checks).</summary>
    public IReadOnlyList<LoggedRequest> Containing(string text) => All.Where(r => r.Contains(text)).ToList();

    public void Clear()
    {
        lock (gate)
        {
            entries.Clear();
        }
    }

    internal LoggedRequest Add(Func<long, LoggedRequest> create)
    {
        lock (gate)
        {
            var entry = create(++sequence);
            entries.Add(entry);
            return entry;
        }
    }
}
