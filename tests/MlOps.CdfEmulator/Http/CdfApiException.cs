namespace MlOps.CdfEmulator;

/// <summary>An API failure that becomes CDF's error envelope: <c>{"error":{"code","message","missing"?,"duplicated"?}}</c>.</summary>
public sealed class CdfApiException : Exception
{
    public CdfApiException(int status, string message, IReadOnlyList<ResourceIdentifier>? missing = null,
        IReadOnlyList<ResourceIdentifier>? duplicated = null)
        : base(message)
    {
        Status = status;
        Missing = missing;
        Duplicated = duplicated;
    }

    public int Status { get; }

    public IReadOnlyList<ResourceIdentifier>? Missing { get; }

    public IReadOnlyList<ResourceIdentifier>? Duplicated { get; }

    /// <summary>Extra response headers, such as <c>Retry-After</c> on an injected 429.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

    public static CdfApiException BadRequest(string message) => new(400, message);

    public static CdfApiException NotFound(string message) => new(404, message);
}
