namespace MlOps.CdfEmulator;

/// <summary>What the emulator does to one request that a fault rule picked.</summary>
public sealed record FaultAction
{
    private FaultAction(FaultKind kind) => Kind = kind;

    public FaultKind Kind { get; }

    public int StatusCode { get; private init; }

    public int? RetryAfterSeconds { get; private init; }

    public TimeSpan Delay { get; private init; }

    public long DropAfterBytes { get; private init; }

    public static FaultAction Pass { get; } = new(FaultKind.Pass);

    /// <summary>An error answer before any processing, e.g. 429 with <c>Retry-After</c>, 500, 502, 503.</summary>
    public static FaultAction Status(int statusCode, int? retryAfterSeconds = null) =>
        new(FaultKind.Status) { StatusCode = statusCode, RetryAfterSeconds = retryAfterSeconds };

    public static FaultAction TooManyRequests(int retryAfterSeconds = 1) => Status(429, retryAfterSeconds);

    public static FaultAction ServiceUnavailable() => Status(503);

    /// <summary>A slow response: wait <paramref name="delay"/>, then process normally.</summary>
    public static FaultAction Slow(TimeSpan delay) => new(FaultKind.Delay) { Delay = delay };

    /// <summary>Reads up to <paramref name="afterBytes"/> bytes of the body, then aborts the connection.</summary>
    public static FaultAction DropConnection(long afterBytes = 0) => new(FaultKind.DropConnection) { DropAfterBytes = afterBytes };

    /// <summary>Commits the request, then answers <paramref name="statusCode"/> (a create that "failed" but happened).</summary>
    public static FaultAction FailAfterCommit(int statusCode = 503) => new(FaultKind.FailAfterCommit) { StatusCode = statusCode };

    public override string ToString() => Kind switch
    {
        FaultKind.Status => $"Status {StatusCode}" + (RetryAfterSeconds is int s ? $" Retry-After {s}" : ""),
        FaultKind.Delay => $"Slow {Delay.TotalMilliseconds} ms",
        FaultKind.DropConnection => $"DropConnection after {DropAfterBytes} bytes",
        FaultKind.FailAfterCommit => $"FailAfterCommit {StatusCode}",
        _ => "Pass",
    };
}
