namespace MlOps.CdfEmulator;

/// <summary>Who sent an API request: the client behind a bearer token, or a legacy API key.</summary>
public sealed class Caller
{
    public required string Subject { get; init; }

    /// <summary>The client id for OIDC callers; null for API keys.</summary>
    public string? ClientId { get; init; }

    /// <summary>The bearer token used, if any (token-exchange sessions are bound to it).</summary>
    public string? AccessToken { get; init; }

    public required IReadOnlySet<string> Capabilities { get; init; }

    /// <summary>Projects this caller may use; null means all served projects.</summary>
    public IReadOnlyList<string>? Projects { get; init; }

    public bool IsApiKey => ClientId is null;

    public bool MayUse(string project) => Projects is null || Projects.Contains(project, StringComparer.Ordinal);
}
