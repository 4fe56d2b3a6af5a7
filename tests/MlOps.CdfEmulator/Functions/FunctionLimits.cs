using System.Text;
using System.Text.RegularExpressions;

namespace MlOps.CdfEmulator;

/// <summary>Create-time limits of functions (<c>GET /functions/limits</c> reports the resource ones).</summary>
internal static partial class FunctionLimits
{
    public const int MaxNameLength = 140;
    public const int MaxExternalIdLength = 255;
    public const int MaxDescriptionLength = 500;
    public const int MaxOwnerLength = 128;
    public const int MaxMetadataPairs = 16;
    public const int MaxMetadataKeyLength = 32;
    public const int MaxMetadataValueLength = 512;
    public const int MaxMetadataBytes = 512;
    public const int MaxSecrets = 30;
    public const int MaxSecretKeyLength = 15;
    public const int MaxEnvVars = 100;
    public const double CpuMin = 0.1, CpuMax = 3.0, CpuDefault = 1.0;
    public const double MemoryMin = 0.1, MemoryMax = 5.0, MemoryDefault = 1.5;
    public const string DefaultRuntime = "py311";
    /// <summary>The runtimes Cognite's function limits list (GET /functions/limits: py310 to py313).</summary>
    public static readonly string[] Runtimes = ["py310", "py311", "py312", "py313"];

    public static void CheckMetadata(Dictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        if (metadata.Count > MaxMetadataPairs)
        {
            throw CdfApiException.BadRequest($"metadata may have at most {MaxMetadataPairs} key-value pairs (has {metadata.Count}).");
        }

        foreach (var (key, value) in metadata)
        {
            if (key.Length > MaxMetadataKeyLength)
            {
                throw CdfApiException.BadRequest($"metadata key '{key}' is longer than {MaxMetadataKeyLength} characters.");
            }

            if (value.Length > MaxMetadataValueLength)
            {
                throw CdfApiException.BadRequest($"metadata value of '{key}' is longer than {MaxMetadataValueLength} characters.");
            }
        }

        var total = metadata.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + Encoding.UTF8.GetByteCount(p.Value));
        if (total > MaxMetadataBytes)
        {
            throw CdfApiException.BadRequest($"metadata is {total} bytes in total; at most {MaxMetadataBytes} bytes are allowed.");
        }
    }

    public static void CheckSecrets(Dictionary<string, string>? secrets)
    {
        if (secrets is null)
        {
            return;
        }

        if (secrets.Count > MaxSecrets)
        {
            throw CdfApiException.BadRequest($"At most {MaxSecrets} secrets are allowed (got {secrets.Count}).");
        }

        foreach (var key in secrets.Keys.Where(k => !SecretKey().IsMatch(k)))
        {
            throw CdfApiException.BadRequest(
                $"Invalid secret key '{key}': keys are 1-{MaxSecretKeyLength} characters of lowercase letters, digits and dashes.");
        }
    }

    public static void CheckEnvVars(Dictionary<string, string>? envVars)
    {
        if (envVars is null)
        {
            return;
        }

        if (envVars.Count > MaxEnvVars)
        {
            throw CdfApiException.BadRequest($"At most {MaxEnvVars} envVars are allowed (got {envVars.Count}).");
        }

        foreach (var key in envVars.Keys.Where(k => !EnvVarKey().IsMatch(k)))
        {
            throw CdfApiException.BadRequest($"Invalid envVars key '{key}': use letters, digits and underscores.");
        }
    }

    public static void CheckFunctionPath(string path)
    {
        if (!path.EndsWith(".py", StringComparison.Ordinal) || path.StartsWith('/') || path.Contains('\\')
            || path.Split('/').Any(p => p is "" or "." or ".."))
        {
            throw CdfApiException.BadRequest($"functionPath '{path}' must be a relative POSIX path to a .py file inside the zip.");
        }
    }

    [GeneratedRegex("^[a-z0-9-]{1,15}$")]
    private static partial Regex SecretKey();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvVarKey();
}
