using System;

namespace MlOps.Cdf
{
    /// <summary>A CDF resource identifier: an internal id or an externalId (as CogniteSdk's <c>Identity</c>).</summary>
    public sealed class Identity : IEquatable<Identity>
    {
        private Identity(long? id, string? externalId)
        {
            Id = id;
            ExternalId = externalId;
        }

        /// <summary>The internal id, or null.</summary>
        public long? Id { get; }

        /// <summary>The externalId, or null.</summary>
        public string? ExternalId { get; }

        /// <summary>By internal id.</summary>
        public static Identity Create(long id) => id > 0 ? new Identity(id, null) : throw new ArgumentOutOfRangeException(nameof(id), "Ids are positive.");

        /// <summary>By externalId.</summary>
        public static Identity Create(string externalId) =>
            string.IsNullOrEmpty(externalId) ? throw new ArgumentException("The externalId is empty.", nameof(externalId)) : new Identity(null, externalId);

        /// <inheritdoc />
        public bool Equals(Identity? other) => other != null && other.Id == Id && string.Equals(other.ExternalId, ExternalId, StringComparison.Ordinal);

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as Identity);

        /// <inheritdoc />
        public override int GetHashCode() => Id?.GetHashCode() ?? StringComparer.Ordinal.GetHashCode(ExternalId ?? "");

        /// <summary><c>id 123</c> or <c>externalId x</c>.</summary>
        public override string ToString() => Id is long id ? "id " + id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "externalId " + ExternalId;

        internal System.Text.Json.Nodes.JsonObject ToJson() => Id is long id
            ? new System.Text.Json.Nodes.JsonObject { ["id"] = id }
            : new System.Text.Json.Nodes.JsonObject { ["externalId"] = ExternalId };
    }
}
