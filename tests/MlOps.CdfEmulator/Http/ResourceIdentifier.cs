using System.Text.Json.Nodes;

namespace MlOps.CdfEmulator;

/// <summary>How a request names a resource: <c>{"id":n}</c> or <c>{"externalId":"x"}</c>, exactly one of them.</summary>
public sealed record ResourceIdentifier(long? Id, string? ExternalId)
{
    public static ResourceIdentifier ById(long id) => new(id, null);

    public static ResourceIdentifier ByExternalId(string externalId) => new(null, externalId);

    public JsonObject ToJson() => Id is long id ? new JsonObject { ["id"] = id } : new JsonObject { ["externalId"] = ExternalId };

    public override string ToString() => Id is long id ? $"id={id}" : $"externalId={ExternalId}";
}
