namespace MlOps.CdfEmulator;

/// <summary>
/// One request as the emulator saw it. Headers and JSON/form bodies are kept verbatim so tests can search them
/// for leaked secrets; uploaded file bytes are never kept (<see cref="Body"/> is null and <see cref="BodyLength"/> counts them).
/// </summary>
public sealed class LoggedRequest
{
    public required long Sequence { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string Method { get; init; }

    /// <summary>Path without the query string, e.g. <c>/api/v1/projects/p/files/list</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Query string including the leading <c>?</c>, or empty.</summary>
    public required string Query { get; init; }

    /// <summary>The route key fault rules match against, e.g. <c>POST /files/list</c> or <c>PUT /upload/abc</c>.</summary>
    public required string Route { get; init; }

    public required string RequestId { get; init; }

    /// <summary>Request headers verbatim (multiple values joined with ", ").</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>Request body as text; null when there was none or it was file content.</summary>
    public string? Body { get; internal set; }

    /// <summary>Bytes received in the body (after gzip decompression).</summary>
    public long BodyLength { get; internal set; }

    /// <summary>Response status; 0 when the connection was dropped before a response.</summary>
    public int Status { get; internal set; }

    /// <summary>Which injected fault, if any, decided this request's outcome (e.g. <c>Status 429</c>).</summary>
    public string? Fault { get; internal set; }

    public bool Completed { get; internal set; }

    /// <summary>True if <paramref name="text"/> appears in any header value, header name, the query or the body.</summary>
    public bool Contains(string text) =>
        Path.Contains(text, StringComparison.Ordinal)
        || Query.Contains(text, StringComparison.Ordinal)
        || (Body?.Contains(text, StringComparison.Ordinal) ?? false)
        || Headers.Any(h => h.Key.Contains(text, StringComparison.Ordinal) || h.Value.Contains(text, StringComparison.Ordinal));

    public override string ToString() => $"{Method} {Path}{Query} -> {Status} ({RequestId}){(Fault is null ? "" : " fault: " + Fault)}";
}
