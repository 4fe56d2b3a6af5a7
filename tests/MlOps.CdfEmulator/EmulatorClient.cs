namespace MlOps.CdfEmulator;

/// <summary>An OIDC client (service principal) the emulator accepts at its token endpoint, with the capabilities its token grants.</summary>
public sealed class EmulatorClient
{
    /// <summary>Every capability the emulator checks, in CDF's <c>acl:ACTION</c> spelling.</summary>
    public static readonly IReadOnlyList<string> AllCapabilities =
    [
        "filesAcl:READ", "filesAcl:WRITE",
        "functionsAcl:READ", "functionsAcl:WRITE", "functionsAcl:RUN",
        "sessionsAcl:LIST", "sessionsAcl:CREATE", "sessionsAcl:DELETE",
        "datasetsAcl:READ", "datasetsAcl:OWNER",
    ];

    public const string DefaultClientId = "emulator-client";
    public const string DefaultClientSecret = "emulator-secret";

    public required string ClientId { get; init; }

    public required string ClientSecret { get; init; }

    /// <summary>Capabilities such as <c>filesAcl:READ</c>; defaults to <see cref="AllCapabilities"/>.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = AllCapabilities;

    /// <summary>Projects this client may use; null means every project the emulator serves.</summary>
    public IReadOnlyList<string>? Projects { get; init; }

    /// <summary>The client used when options name none: <c>emulator-client</c> / <c>emulator-secret</c> with all capabilities.</summary>
    public static EmulatorClient Default => new() { ClientId = DefaultClientId, ClientSecret = DefaultClientSecret };
}
