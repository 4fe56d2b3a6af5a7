namespace MlOps.CdfEmulator;

/// <summary>A legacy <c>api-key</c> header value the emulator accepts (the 2021-era auth mode; off unless configured).</summary>
public sealed class EmulatorApiKey
{
    public required string Key { get; init; }

    public IReadOnlyList<string> Capabilities { get; init; } = EmulatorClient.AllCapabilities;

    /// <summary>Projects this key may use; null means every project the emulator serves.</summary>
    public IReadOnlyList<string>? Projects { get; init; }
}
