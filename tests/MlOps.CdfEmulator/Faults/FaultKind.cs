namespace MlOps.CdfEmulator;

public enum FaultKind
{
    /// <summary>Let the request through untouched.</summary>
    Pass,

    /// <summary>Answer with an error status (and optional <c>Retry-After</c>) without processing the request.</summary>
    Status,

    /// <summary>Wait, then process the request normally (to trigger client timeouts).</summary>
    Delay,

    /// <summary>Read part of the request body, then abort the connection without a response.</summary>
    DropConnection,

    /// <summary>Process the request (the change is committed), then answer with an error status instead of the result.</summary>
    FailAfterCommit,
}
