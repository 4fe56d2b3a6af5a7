namespace MlOps.CdfEmulator;

/// <summary>An access token the emulator handed out.</summary>
public sealed record IssuedToken(string AccessToken, string ClientId, DateTimeOffset ExpiresAt);
