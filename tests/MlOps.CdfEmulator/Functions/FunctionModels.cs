namespace MlOps.CdfEmulator;

/// <summary>Why a deployment or a call failed: CDF's <c>error</c> object (<c>{code?, message, trace}</c>).</summary>
public sealed record FunctionError(string Message, string? Trace = null, int? Code = null);

/// <summary>A function as the emulator stores it (a snapshot: later changes on the server do not show in it).</summary>
public sealed class CdfFunction
{
    public required string Project { get; init; }

    public required long Id { get; init; }

    public string? ExternalId { get; init; }

    public required string Name { get; init; }

    public required long FileId { get; init; }

    public required string FunctionPath { get; init; }

    public string? Description { get; init; }

    public string? Owner { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The real secret values (the API only ever shows <c>***</c>).</summary>
    public IReadOnlyDictionary<string, string>? Secrets { get; init; }

    public IReadOnlyDictionary<string, string>? EnvVars { get; init; }

    public double Cpu { get; init; }

    public double Memory { get; init; }

    public required string Runtime { get; init; }

    /// <summary><c>Queued</c>, <c>Deploying</c>, <c>Ready</c> or <c>Failed</c>.</summary>
    public string Status { get; internal set; } = "Queued";

    public FunctionError? Error { get; internal set; }

    public required long CreatedTime { get; init; }

    public long? LastCalled { get; internal set; }

    internal CdfFunction Clone() => (CdfFunction)MemberwiseClone();
}

/// <summary>One line a call printed (stdout or stderr), stamped when it arrived.</summary>
public sealed record CallLogLine(long Timestamp, string Message);

/// <summary>A function call (a snapshot).</summary>
public sealed class FunctionCall
{
    public required string Project { get; init; }

    public required long Id { get; init; }

    public required long FunctionId { get; init; }

    /// <summary><c>Running</c>, <c>Completed</c>, <c>Failed</c> or <c>Timeout</c>.</summary>
    public string Status { get; internal set; } = "Running";

    public required long StartTime { get; init; }

    public long? EndTime { get; internal set; }

    public FunctionError? Error { get; internal set; }

    public long? ScheduleId { get; init; }

    public long? ScheduledTime { get; init; }

    /// <summary>The session whose nonce started the call (null for API-key callers).</summary>
    public long? SessionId { get; init; }

    /// <summary>The handler's return value as JSON text; null until completed (or when it returned None).</summary>
    public string? ResponseJson { get; internal set; }

    public IReadOnlyList<CallLogLine> Logs { get; internal set; } = [];

    public bool IsFinished => Status != "Running";

    internal FunctionCall Clone() => (FunctionCall)MemberwiseClone();
}

/// <summary>A function schedule (a snapshot).</summary>
public sealed class FunctionSchedule
{
    public required string Project { get; init; }

    public required long Id { get; init; }

    public required string Name { get; init; }

    public required string CronExpression { get; init; }

    public required long FunctionId { get; init; }

    public string? FunctionExternalId { get; init; }

    public string? Description { get; init; }

    /// <summary>The <c>data</c> each scheduled call receives, as JSON text (null: none).</summary>
    public string? DataJson { get; init; }

    public required long SessionId { get; init; }

    public required long CreatedTime { get; init; }

    internal FunctionSchedule Clone() => (FunctionSchedule)MemberwiseClone();
}
